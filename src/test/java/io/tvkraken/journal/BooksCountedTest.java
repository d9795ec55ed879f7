package io.tvkraken.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** A book's cost basis and realised profit or loss, fill by fill (docs/strategies.md#risk-limits). */
class BooksCountedTest {

    static Books.Fill fill(String volume, String cost, String fee) {
        return new Books.Fill(new BigDecimal(volume), new BigDecimal(cost), new BigDecimal(fee), "USD");
    }

    @Test
    void buysAddTheirCostAndFeesAndSellsRealiseAgainstTheAverageCost() {
        Books.Counted bought = Books.Counted.of(BigDecimal.ZERO, BigDecimal.ZERO, fill("1", "3000", "3"));
        assertThat(bought.position()).isEqualByComparingTo("1");
        assertThat(bought.basis()).isEqualByComparingTo("3003");
        assertThat(bought.realised()).isEqualByComparingTo("0");

        Books.Counted more = Books.Counted.of(bought.position(), bought.basis(), fill("1", "2997", "0"));
        assertThat(more.basis()).isEqualByComparingTo("6000");

        // half sold at 2800 a coin with a 1.4 fee: proceeds 1398.6 against an average cost of 3000 x 0.5
        Books.Counted half = Books.Counted.of(more.position(), more.basis(), fill("-0.5", "1400", "1.4"));
        assertThat(half.position()).isEqualByComparingTo("1.5");
        assertThat(half.realised()).isEqualByComparingTo("-101.4");
        assertThat(half.basis()).isEqualByComparingTo("4500");

        Books.Counted flat = Books.Counted.of(half.position(), half.basis(), fill("-1.5", "4800", "0"));
        assertThat(flat.position()).isEqualByComparingTo("0");
        assertThat(flat.realised()).isEqualByComparingTo("300");
        assertThat(flat.basis()).isEqualByComparingTo("0");
    }

    @Test
    void aShortRealisesWhatItSoldForLessWhatBuyingBackCost() {
        Books.Counted sold = Books.Counted.of(BigDecimal.ZERO, BigDecimal.ZERO, fill("-2", "6000", "6"));
        assertThat(sold.basis()).isEqualByComparingTo("5994");
        Books.Counted covered = Books.Counted.of(sold.position(), sold.basis(), fill("2", "5000", "5"));
        assertThat(covered.position()).isEqualByComparingTo("0");
        assertThat(covered.realised()).isEqualByComparingTo("989");
        assertThat(covered.basis()).isEqualByComparingTo("0");
    }

    @Test
    void nothingExecutedChangesNothing() {
        Books.Counted none = Books.Counted.of(new BigDecimal("1"), new BigDecimal("3000"), Books.Fill.none("USD"));
        assertThat(none.position()).isEqualByComparingTo("1");
        assertThat(none.basis()).isEqualByComparingTo("3000");
        assertThat(none.realised()).isEqualByComparingTo("0");
    }
}
