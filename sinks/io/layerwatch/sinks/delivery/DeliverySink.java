package io.layerwatch.sinks.delivery;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.StatefulSink.StatefulSinkWriter;
import org.apache.flink.connector.base.sink.AsyncSinkBase;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriterStateSerializer;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The one delivery layer of every AWS/HTTP sink, on Flink's async sink base: buffered entries are
 * part of checkpoints; batches respect the destination's limits; retryable failures are retried
 * with exponential backoff and jitter up to a bounded number of attempts; rejected entries and
 * entries out of attempts go to the dead-letter destination (never retried forever, never lost).
 */
public final class DeliverySink<T> extends AsyncSinkBase<T, Delivery> {
    private static final long serialVersionUID = 1L;

    private final DeliveryTarget<T> target;
    private final RetryPolicy retry;
    private final DeadLetterDestination deadLetters;

    public DeliverySink(
            DeliveryTarget<T> target,
            RetryPolicy retry,
            DeadLetterDestination deadLetters,
            long maxTimeInBufferMs) {
        super(
                converter(target),
                target.limits().maxBatchEntries(),
                2,
                10_000,
                target.limits().maxBatchBytes(),
                maxTimeInBufferMs,
                target.limits().maxBatchBytes());
        this.target = target;
        this.retry = retry;
        this.deadLetters = deadLetters;
    }

    /**
     * Encodes once per value; an encoding failure or an oversize result becomes a dead letter
     * later.
     */
    static <T> ElementConverter<T, Delivery> converter(DeliveryTarget<T> target) {
        long maxEntry = target.limits().maxEntryBytes();
        return (value, context) -> {
            String key = target.key(value);
            String json = target.record(value);
            try {
                String payload = target.encode(value);
                if (payload.getBytes(StandardCharsets.UTF_8).length > maxEntry) {
                    return Delivery.unencodable(
                            key,
                            json,
                            "encoded value exceeds the "
                                    + target.name()
                                    + " entry limit of "
                                    + maxEntry
                                    + " bytes");
                }
                return Delivery.of(key, payload, json);
            } catch (RuntimeException e) {
                return Delivery.unencodable(
                        key, json, "cannot encode for " + target.name() + ": " + e);
            }
        };
    }

    public String name() {
        return target.name();
    }

    @Override
    @Deprecated
    public StatefulSinkWriter<T, BufferedRequestState<Delivery>> createWriter(InitContext context) {
        return restoreWriter(context, List.of());
    }

    @Override
    @Deprecated
    public StatefulSinkWriter<T, BufferedRequestState<Delivery>> restoreWriter(
            InitContext context, Collection<BufferedRequestState<Delivery>> states) {
        return new DeliverySinkWriter<>(getElementConverter(), context, this, states);
    }

    DeliveryTarget<T> target() {
        return target;
    }

    RetryPolicy retry() {
        return retry;
    }

    DeadLetterDestination deadLetters() {
        return deadLetters;
    }

    int maxBatchSize() {
        return getMaxBatchSize();
    }

    int maxInFlight() {
        return getMaxInFlightRequests();
    }

    int maxBuffered() {
        return getMaxBufferedRequests();
    }

    long maxBatchBytes() {
        return getMaxBatchSizeInBytes();
    }

    long maxTimeInBuffer() {
        return getMaxTimeInBufferMS();
    }

    long maxRecordBytes() {
        return getMaxRecordSizeInBytes();
    }

    @Override
    public SimpleVersionedSerializer<BufferedRequestState<Delivery>> getWriterStateSerializer() {
        return new StateSerializer();
    }

    /** Buffered entries in checkpoints: length-prefixed UTF-8 fields. */
    static final class StateSerializer extends AsyncSinkWriterStateSerializer<Delivery> {
        @Override
        protected void serializeRequestToStream(Delivery d, DataOutputStream out)
                throws IOException {
            writeString(out, d.findingId());
            writeString(out, d.payload());
            writeString(out, d.finding());
            out.writeInt(d.attempts());
            writeString(out, d.problem());
        }

        @Override
        protected Delivery deserializeRequestFromStream(long size, DataInputStream in)
                throws IOException {
            return new Delivery(
                    readString(in), readString(in), readString(in), in.readInt(), readString(in));
        }

        @Override
        public int getVersion() {
            return 1;
        }

        private static void writeString(DataOutputStream out, String s) throws IOException {
            if (s == null) {
                out.writeInt(-1);
                return;
            }
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.writeInt(b.length);
            out.write(b);
        }

        private static String readString(DataInputStream in) throws IOException {
            int n = in.readInt();
            if (n < 0) {
                return null;
            }
            byte[] b = new byte[n];
            in.readFully(b);
            return new String(b, StandardCharsets.UTF_8);
        }
    }
}
