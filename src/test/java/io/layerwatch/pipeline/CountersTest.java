package io.layerwatch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.testing.RecordingMetricGroup;
import org.junit.jupiter.api.Test;

/**
 * The job's own metrics as MSF publishes them: AWS/KinesisAnalytics NAME, dimension Application
 * only.
 */
class CountersTest {

    @Test
    void metricsAreInThePublishedGroupWithoutAUserDimension() {
        RecordingMetricGroup root = new RecordingMetricGroup();
        Counters.metrics(root).counter(Counters.DEAD_LETTERED).inc();
        Counters.metrics(root).counter("rulesRejected");

        assertThat(root.counters())
                .containsOnlyKeys(
                        "kinesisanalytics.deadLettered", "kinesisanalytics.rulesRejected");
        assertThat(root.counters().get("kinesisanalytics.deadLettered").getCount()).isEqualTo(1);
        // MSF adds the dimension Application = the application name; a user variable must not
        // shadow it.
        assertThat(root.variablesOf("kinesisanalytics.deadLettered")).isEmpty();
        assertThat(root.variablesOf("kinesisanalytics.rulesRejected")).isEmpty();
    }
}
