package io.layerwatch.streaming;

import io.layerwatch.pipeline.Payload;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.RejectedExecutionException;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.streaming.api.functions.AssignerWithPeriodicWatermarks;
import org.apache.flink.streaming.api.functions.source.SourceFunction.SourceContext;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.connectors.kinesis.KinesisShardAssigner;
import org.apache.flink.streaming.connectors.kinesis.internals.KinesisDataFetcher;
import org.apache.flink.streaming.connectors.kinesis.serialization.KinesisDeserializationSchema;
import org.apache.flink.streaming.connectors.kinesis.util.WatermarkTracker;

/**
 * The connector's fetcher (FlinkKinesisConsumer, connector 4.3.0) without three of its habits.
 * Every watermark interval (200 ms) its timer re-checks the shards; while none is active it logs
 * "No active shard for subtask N, marking the source idle." and marks the subtask idle again, five
 * lines a second per idle subtask. The timer is never cancelled: after stop-with-savepoint closed
 * the source context, a tick still calls it and fails the task ("The Source Context has been closed
 * already."). And a stop while the fetcher starts fails the task too (see {@link #runFetcher()}).
 */
final class KinesisFetcher extends KinesisDataFetcher<Payload> {
    private final Context context;

    KinesisFetcher(
            List<String> streams,
            Context context,
            RuntimeContext runtime,
            Properties config,
            KinesisDeserializationSchema<Payload> schema,
            KinesisShardAssigner assigner,
            AssignerWithPeriodicWatermarks<Payload> watermarks,
            WatermarkTracker tracker) {
        super(streams, context, runtime, config, schema, assigner, watermarks, tracker);
        this.context = context;
    }

    /**
     * The connector's check, unless its outcome cannot differ from the last one: the subtask was
     * marked idle and has emitted no record since (a shard counts as active again only through a
     * record), or the source has stopped.
     */
    @Override
    protected void emitWatermark() {
        if (context.quiet()) {
            return;
        }
        super.emitWatermark();
    }

    /**
     * The connector's fetch loop. A stop that comes while it starts its shard consumers shuts their
     * executor first, and the connector's next submit then throws RejectedExecutionException,
     * failing the task instead of stopping it; after a stop that is the stop taking effect, so the
     * loop just ends.
     */
    @Override
    public void runFetcher() throws Exception {
        try {
            super.runFetcher();
        } catch (RejectedExecutionException e) {
            if (!context.stopped) {
                throw e;
            }
        }
    }

    /** Shuts down, with no watermark or idle mark from the fetcher afterwards. */
    @Override
    public void shutdownFetcher() {
        context.stop();
        super.shutdownFetcher();
    }

    /**
     * The source context the consumer runs with: remembers whether the subtask sits idle and drops
     * watermarks and idle marks once the source stops, atomically under the checkpoint lock (the
     * source thread closes the context while the task's timers may still tick).
     */
    static final class Context implements SourceContext<Payload> {
        private final SourceContext<Payload> target;
        private volatile boolean stopped;
        private volatile boolean idle;

        Context(SourceContext<Payload> target) {
            this.target = target;
        }

        /** Idle with no record since, or stopped. */
        boolean quiet() {
            return stopped || idle;
        }

        /**
         * No watermark or idle mark from now on (the context itself closes later, under the lock).
         */
        void stop() {
            stopped = true;
        }

        @Override
        public void collect(Payload element) {
            idle = false;
            target.collect(element);
        }

        @Override
        public void collectWithTimestamp(Payload element, long timestamp) {
            idle = false;
            target.collectWithTimestamp(element, timestamp);
        }

        @Override
        public void emitWatermark(Watermark mark) {
            synchronized (getCheckpointLock()) {
                if (!stopped) {
                    idle = false;
                    target.emitWatermark(mark);
                }
            }
        }

        @Override
        public void markAsTemporarilyIdle() {
            synchronized (getCheckpointLock()) {
                if (!stopped) {
                    idle = true;
                    target.markAsTemporarilyIdle();
                }
            }
        }

        @Override
        public Object getCheckpointLock() {
            return target.getCheckpointLock();
        }

        @Override
        public void close() {
            synchronized (getCheckpointLock()) {
                stopped = true;
                target.close();
            }
        }
    }
}
