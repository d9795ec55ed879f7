package io.tvkraken.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tvkraken.alert.Side;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class StrategyFileTest {

    @TempDir
    Path dir;

    @Test
    void theExampleFileReads() {
        StrategySettings settings = new StrategyFile(Path.of("examples/strategies.yaml")).settings();
        assertThat(settings.account().maxOrdersPerHour()).isEqualTo(120);
        StrategySettings.Strategy trend = settings.strategy("trend-4h");
        assertThat(trend.pairs()).containsExactly("BTCUSD", "ETHUSD");
        assertThat(trend.limits().maxPosition()).isEqualByComparingTo("0.5");
        assertThat(trend.stop().orderType()).isEqualTo("stop-loss");
        assertThat(settings.strategy("not in the file")).isSameAs(StrategySettings.Strategy.NONE);
    }

    @Test
    void aFileThatDoesNotReadAtStartUpStopsTheServiceNamingTheKey() throws IOException {
        Path file = dir.resolve("s.yaml");
        Files.writeString(file, "strategies:\n  a:\n    max-order-cots: 5\n");
        assertThatThrownBy(() -> new StrategyFile(file))
                .hasMessageContaining("strategies.a.max-order-cots: unknown key (known: [accounts, leverage, max-loss-per-day, max-order-cost, ");
        Files.writeString(file, "account:\n  max-orders-per-day: 0\n");
        assertThatThrownBy(() -> new StrategyFile(file))
                .hasMessageContaining("account: max-orders-per-day: must be greater than 0");
        Files.writeString(file, "strategies:\n  a:\n    leverage: 1\n");
        assertThatThrownBy(() -> new StrategyFile(file)).hasMessageContaining("leverage: 2 or more");
        // YAML refuses a tab in indentation
        Files.writeString(file, "account:\n\tmax-order-cost: 100\n");
        assertThatThrownBy(() -> new StrategyFile(file)).hasMessageContaining("line 2");
        Files.writeString(file, "account: {max-order-cost: [1]}\n");
        assertThatThrownBy(() -> new StrategyFile(file)).hasMessageContaining("account.max-order-cost: Cannot "
                + "deserialize value of type `java.math.BigDecimal`");
        Files.writeString(file, "strategies:\n  a: {stop: {order-type: stop-loss, percent: 2, limit-percent: 3}}\n");
        assertThatThrownBy(() -> new StrategyFile(file))
                .hasMessageContaining("stop.limit-percent: only for stop-loss-limit and take-profit-limit");
    }

    @Test
    void aBrokenEditKeepsTheSettingsInForceAndSaysWhyOnce() throws IOException {
        Path file = dir.resolve("s.yaml");
        Files.writeString(file, "account: {max-order-cost: 100}\n");
        StrategyFile strategies = new StrategyFile(file);
        Logger logger = (Logger) LoggerFactory.getLogger(StrategyFile.class);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        logger.addAppender(log);
        try {
            Files.writeString(file, "account: {max-order-cost: [}\n");
            assertThat(strategies.reload()).isFalse();
            assertThat(strategies.reload()).isFalse();
            assertThat(strategies.settings().account().maxOrderCost()).isEqualByComparingTo("100");
            assertThat(log.list).filteredOn(e -> e.getFormattedMessage().contains("does not read")).hasSize(1);
            Files.delete(file);
            assertThat(strategies.reload()).isFalse();
            assertThat(strategies.settings().account().maxOrderCost()).isEqualByComparingTo("100");
            Files.writeString(file, "account: {max-order-cost: 200}\n");
            assertThat(strategies.reload()).isTrue();
            assertThat(strategies.settings().account().maxOrderCost()).isEqualByComparingTo("200");
        } finally {
            logger.detachAppender(log);
        }
    }

    @Test
    void aStopIsBelowABuysPriceForALossAndAboveForAProfitAndTheOtherWayForASell() {
        StrategySettings.StopPolicy loss = new StrategySettings.StopPolicy("stop-loss", new BigDecimal("2"), null);
        StrategySettings.StopPolicy profit = new StrategySettings.StopPolicy("Take-Profit-Limit", new BigDecimal("4.0"),
                new BigDecimal("3.5"));
        assertThat(EntryStops.close(loss, Side.BUY).price().kraken()).isEqualTo("-2%");
        assertThat(EntryStops.close(loss, Side.SELL).price().kraken()).isEqualTo("+2%");
        assertThat(EntryStops.close(profit, Side.BUY).price().kraken()).isEqualTo("+4%");
        assertThat(EntryStops.close(profit, Side.BUY).price2().kraken()).isEqualTo("+3.5%");
        assertThat(EntryStops.close(profit, Side.SELL).price().kraken()).isEqualTo("-4%");
    }
}
