package io.layerwatch.sinks.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.testing.RecordingMetricGroup;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The sink counters MSF publishes to CloudWatch, and the names and dimensions the central stack's
 * alarms use.
 */
class SinkMetricsTest {

    @Test
    void perSinkCountersHaveOnlyTheSinkDimensionAndTheTotalHasNone() {
        RecordingMetricGroup root = new RecordingMetricGroup();
        SinkMetrics.register(root, "securityhub");
        SinkMetrics.register(root, "my-webhook");

        assertThat(root.counters())
                .containsOnlyKeys(
                        "kinesisanalytics.sink=securityhub.delivered",
                        "kinesisanalytics.sink=securityhub.retried",
                        "kinesisanalytics.sink=securityhub.deadLettered",
                        "kinesisanalytics.sink=my-webhook.delivered",
                        "kinesisanalytics.sink=my-webhook.retried",
                        "kinesisanalytics.sink=my-webhook.deadLettered",
                        "kinesisanalytics.sinkDeadLettered");
        // MSF adds Application (the application name) itself: a user variable of that name would
        // clash with it.
        assertThat(root.variablesOf("kinesisanalytics.sink=securityhub.deadLettered"))
                .isEqualTo(Map.of("sink", "securityhub"));
        assertThat(root.variablesOf("kinesisanalytics.sinkDeadLettered")).isEmpty();
    }

    @Test
    void aDeadLetterCountsForItsSinkAndInTheTotal() {
        // Each sink writer is its own operator with its own counters (MSF aggregates them per
        // metric name and dimensions).
        SinkMetrics sns = SinkMetrics.register(new RecordingMetricGroup(), "sns");
        SinkMetrics hub = SinkMetrics.register(new RecordingMetricGroup(), "securityhub");

        sns.deadLettered();
        hub.deadLettered();
        hub.deadLettered();

        assertThat(sns.sinkDeadLetters().getCount()).isEqualTo(1);
        assertThat(sns.allSinksDeadLetters().getCount()).isEqualTo(1);
        assertThat(hub.sinkDeadLetters().getCount()).isEqualTo(2);
        assertThat(hub.allSinksDeadLetters().getCount()).isEqualTo(2);
        assertThat(hub.delivered().getCount()).isZero();
        assertThat(hub.retried().getCount()).isZero();
    }
}
