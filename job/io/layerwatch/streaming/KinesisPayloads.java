package io.layerwatch.streaming;

import io.layerwatch.pipeline.Payload;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.connectors.kinesis.FlinkKinesisConsumer;
import org.apache.flink.streaming.connectors.kinesis.config.AWSConfigConstants;
import org.apache.flink.streaming.connectors.kinesis.config.ConsumerConfigConstants;
import org.apache.flink.streaming.connectors.kinesis.internals.KinesisDataFetcher;
import org.apache.flink.streaming.connectors.kinesis.serialization.KinesisDeserializationSchema;

/**
 * The connector's FlinkKinesisConsumer producing raw {@link Payload}s: the decoder detects each
 * record's shape (raw CloudTrail record, EventBridge envelope, gzip CloudWatch Logs subscription
 * data with many records), so one stream may carry any mix. Shard positions are checkpointed by the
 * consumer.
 */
public final class KinesisPayloads {
    private KinesisPayloads() {}

    /**
     * The Kinesis consumer of the CloudTrail stream.
     *
     * @param lateness how late CloudTrail events may arrive (the per-shard watermark bound)
     * @param idleness a shard silent this long no longer holds the watermark back
     */
    public static FlinkKinesisConsumer<Payload> consumer(
            StreamingOptions o, Duration lateness, Duration idleness) {
        FlinkKinesisConsumer<Payload> consumer =
                new Consumer(streamName(o.stream()), properties(o, idleness));
        consumer.setPeriodicWatermarkAssigner(new ArrivalWatermarks(lateness.toMillis()));
        return consumer;
    }

    static Properties properties(StreamingOptions o, Duration idleness) {
        Properties p = new Properties();
        p.setProperty(
                ConsumerConfigConstants.SHARD_IDLE_INTERVAL_MILLIS,
                String.valueOf(idleness.toMillis()));
        if (o.region() != null) {
            p.setProperty(AWSConfigConstants.AWS_REGION, o.region());
        } else if (o.stream().startsWith("arn:")) {
            p.setProperty(AWSConfigConstants.AWS_REGION, o.stream().split(":", -1)[3]);
        }
        if (o.endpoint() != null) {
            p.setProperty(AWSConfigConstants.AWS_ENDPOINT, o.endpoint());
        }
        p.setProperty(ConsumerConfigConstants.STREAM_INITIAL_POSITION, o.initialPosition().name());
        if (o.initialTimestamp() != null) {
            p.setProperty(
                    ConsumerConfigConstants.STREAM_INITIAL_TIMESTAMP,
                    BigDecimal.valueOf(o.initialTimestamp().toEpochMilli(), 3).toPlainString());
        }
        if (o.efoConsumerName() != null) {
            p.setProperty(ConsumerConfigConstants.RECORD_PUBLISHER_TYPE, "EFO");
            p.setProperty(ConsumerConfigConstants.EFO_CONSUMER_NAME, o.efoConsumerName());
        }
        // Find new shards (resharding) every 10 s; poll every 200 ms (the per-shard GetRecords
        // limit is 5/s).
        p.setProperty(ConsumerConfigConstants.SHARD_DISCOVERY_INTERVAL_MILLIS, "10000");
        p.setProperty(ConsumerConfigConstants.SHARD_GETRECORDS_INTERVAL_MILLIS, "200");
        return p;
    }

    /** arn:aws:kinesis:REGION:ACCOUNT:stream/NAME -> NAME; names pass through. */
    static String streamName(String stream) {
        int i = stream.indexOf(":stream/");
        return stream.startsWith("arn:") && i > 0 ? stream.substring(i + 8) : stream;
    }

    /**
     * The connector's consumer with {@link KinesisFetcher} (quiet while idle, no watermark after a
     * stop); it also lets the TaskManager free the job's classloader when the job ends.
     */
    static final class Consumer extends FlinkKinesisConsumer<Payload> {
        private static final long serialVersionUID = 1L;

        Consumer(String stream, Properties properties) {
            super(stream, new Schema(), properties);
        }

        @Override
        public void run(SourceContext<Payload> context) throws Exception {
            ClassLoaderRelease.register(getRuntimeContext());
            super.run(new KinesisFetcher.Context(context));
        }

        @Override
        protected KinesisDataFetcher<Payload> createFetcher(
                List<String> streams,
                SourceContext<Payload> context,
                RuntimeContext runtime,
                Properties config,
                KinesisDeserializationSchema<Payload> schema) {
            KinesisFetcher.Context own =
                    context instanceof KinesisFetcher.Context c
                            ? c
                            : new KinesisFetcher.Context(context);
            return new KinesisFetcher(
                    streams,
                    own,
                    runtime,
                    config,
                    schema,
                    getShardAssigner(),
                    getPeriodicWatermarkAssigner(),
                    getWatermarkTracker());
        }
    }

    /**
     * Keeps the bytes as they are; the source names stream, shard and sequence number for dead
     * letters.
     */
    static final class Schema implements KinesisDeserializationSchema<Payload> {
        private static final long serialVersionUID = 1L;

        @Override
        public Payload deserialize(
                byte[] record,
                String partitionKey,
                String seqNum,
                long approxArrivalTimestamp,
                String stream,
                String shardId) {
            return Payload.received(
                    "kinesis:" + stream + "/" + shardId + "/" + seqNum,
                    record,
                    approxArrivalTimestamp);
        }

        @Override
        public TypeInformation<Payload> getProducedType() {
            return TypeInformation.of(Payload.class);
        }
    }
}
