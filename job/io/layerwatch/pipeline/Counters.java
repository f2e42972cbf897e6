package io.layerwatch.pipeline;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.metrics.MetricGroup;

/** Names of the job's counters: Flink accumulators (replay summary) and metrics (dashboards). */
public final class Counters {
    public static final String EVENTS_READ = "eventsRead";
    public static final String EVENTS_MATCHED = "eventsMatched";
    public static final String DEAD_LETTERED = "deadLettered";
    public static final String LATE = "late";
    public static final String SCANS_FAILED = "scansFailed";
    public static final String SKIPPED = "skipped";

    /**
     * Events dropped as copies of one already seen (same account and event id) within the lateness
     * bound.
     */
    public static final String DUPLICATES_DROPPED = "duplicatesDropped";

    /**
     * Records the decoder's prefilter counted as read without parsing them (part of eventsRead).
     */
    public static final String PREFILTERED = "prefiltered";

    /**
     * CloudWatch Logs messages refused by their sender (owner, log group, nesting; part of
     * deadLettered).
     */
    public static final String CLOUDWATCH_LOGS_REJECTED = "cloudWatchLogsRejected";

    /** Input files a replay on a cluster listed (a local replay lists them before the job). */
    public static final String FILES_LISTED = "filesListed";

    /**
     * Security Hub custom-action events a replay dead-lettered (it runs no responder; part of
     * deadLettered).
     */
    public static final String CUSTOM_ACTIONS_NOT_RUN = "customActionsNotRun";

    /** Custom metrics on Managed Service for Apache Flink reach CloudWatch from this group. */
    public static final String METRIC_GROUP = "kinesisanalytics";

    private Counters() {}

    public static MetricGroup metrics(RuntimeContext ctx) {
        return metrics(ctx.getMetricGroup());
    }

    /**
     * The CloudWatch-published group below {@code root}. MSF turns key-value subgroups into
     * dimensions and adds {@code Application} (the application name) itself, so a metric registered
     * here is {@code AWS/KinesisAnalytics} NAME with the one dimension Application, which is what
     * the central stack's alarms name.
     */
    public static MetricGroup metrics(MetricGroup root) {
        return root.addGroup(METRIC_GROUP);
    }
}
