package io.tvkraken.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link PromQl} finds the metric names of an expression, and nothing else, so that the dashboard test can trust it. */
class PromQlTest {

    @Test
    void findsTheMetricsOfAHistogramQuantileAndNotItsFunctionsLabelsOrRanges() {
        assertThat(PromQl.metricNames(
                "histogram_quantile(0.99, sum by (le) (rate(order_processing_seconds_bucket{job=\"x\"}[5m])))"))
                .containsExactly("order_processing_seconds_bucket");
    }

    @Test
    void findsBothSidesOfABinaryOperationWithVectorMatching() {
        assertThat(PromQl.metricNames("exchange_balance < on (asset, instance) group_left exchange_balance_low_threshold"
                + " and ignoring(le) (sum without (key) (kraken_rest_counter) / kraken_rest_counter_max) > bool 0.8"))
                .containsExactlyInAnyOrder("exchange_balance", "exchange_balance_low_threshold",
                        "kraken_rest_counter", "kraken_rest_counter_max");
    }

    @Test
    void ignoresStringsDurationsOffsetsAndNumbers() {
        assertThat(PromQl.metricNames("label_replace(up, \"dst\", \"$1\", \"src\", \"(.*)\") offset 1h30m"
                + " or vector(1e3) or time() - 5m"))
                .containsExactly("up");
    }

    @Test
    void dropsGrafanaVariablesAndReadsTheMetricOfALabelValuesQuery() {
        assertThat(PromQl.metricNames("sum(rate(kraken_api_calls_total{endpoint=~\"$endpoint\"}[$__rate_interval]))"
                + " by (endpoint)")).containsExactly("kraken_api_calls_total");
        assertThat(PromQl.metricNames("label_values(exchange_balance, asset)")).containsExactly("exchange_balance");
    }

    @Test
    void aSubqueryIsARange() {
        assertThat(PromQl.metricNames("max_over_time(rate(signals_received_total[5m])[1h:1m])"))
                .containsExactly("signals_received_total");
    }
}
