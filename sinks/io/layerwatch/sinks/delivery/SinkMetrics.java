package io.layerwatch.sinks.delivery;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * A delivery sink's counters, in the group Managed Service for Apache Flink publishes to CloudWatch
 * ({@code AWS/KinesisAnalytics}, dimension Application added by MSF): per sink (dimension {@code
 * sink}) and, for one alarm over every sink whatever their names, {@code sinkDeadLettered} without
 * the sink dimension.
 */
@SuppressWarnings("InvalidParam") // sinkDeadLettered is the metric's name
record SinkMetrics(
        Counter delivered, Counter retried, Counter sinkDeadLetters, Counter allSinksDeadLetters) {

    static final String METRIC_GROUP = "kinesisanalytics";
    static final String SINK = "sink";
    static final String DEAD_LETTERED = "deadLettered";
    static final String ALL_SINKS_DEAD_LETTERED = "sinkDeadLettered";

    static SinkMetrics register(MetricGroup root, String sink) {
        MetricGroup published = root.addGroup(METRIC_GROUP);
        MetricGroup perSink = published.addGroup(SINK, sink);
        return new SinkMetrics(
                perSink.counter("delivered"),
                perSink.counter("retried"),
                perSink.counter(DEAD_LETTERED),
                published.counter(ALL_SINKS_DEAD_LETTERED));
    }

    /** One finding dead-lettered: counted for its sink and for all sinks. */
    void deadLettered() {
        sinkDeadLetters.inc();
        allSinksDeadLetters.inc();
    }
}
