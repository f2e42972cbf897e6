package io.layerwatch.streaming;

import io.layerwatch.pipeline.Payload;
import org.apache.flink.streaming.api.functions.AssignerWithPeriodicWatermarks;
import org.apache.flink.streaming.api.watermark.Watermark;

/**
 * Per-shard watermarks for the Kinesis consumer (which keeps one copy per shard and emits the
 * minimum over its shards, skipping idle ones). Kinesis arrival time bounds CloudTrail event time
 * from above: a record arriving now carries events at most the configured lateness older, so the
 * watermark is the shard's newest arrival time minus that lateness.
 */
final class ArrivalWatermarks implements AssignerWithPeriodicWatermarks<Payload> {
    private static final long serialVersionUID = 1L;

    private final long latenessMillis;
    private long maxArrival = Long.MIN_VALUE;

    ArrivalWatermarks(long latenessMillis) {
        this.latenessMillis = latenessMillis;
    }

    /**
     * The payload's Kinesis arrival time (the consumer passes the previous timestamp, not the
     * arrival).
     */
    @Override
    public long extractTimestamp(Payload payload, long previousTimestamp) {
        maxArrival = Math.max(maxArrival, payload.arrivalTime());
        return payload.arrivalTime();
    }

    @Override
    public Watermark getCurrentWatermark() {
        return maxArrival == Long.MIN_VALUE ? null : new Watermark(maxArrival - latenessMillis - 1);
    }
}
