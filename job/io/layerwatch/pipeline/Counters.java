package io.layerwatch.pipeline;

/** Names of the job's counters: Flink accumulators (replay summary) and metrics (dashboards). */
public final class Counters {
    public static final String EVENTS_READ = "eventsRead";
    public static final String EVENTS_MATCHED = "eventsMatched";
    public static final String DEAD_LETTERED = "deadLettered";
    public static final String LATE = "late";
    public static final String SCANS_FAILED = "scansFailed";
    public static final String SKIPPED = "skipped";

    private Counters() {}
}
