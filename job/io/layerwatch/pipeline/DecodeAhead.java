package io.layerwatch.pipeline;

import io.layerwatch.event.DeadLetter;
import io.layerwatch.event.EcrEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.flink.streaming.api.operators.AbstractUdfStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.TimestampedCollector;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * The decoder on a thread of its own, a few payloads ahead of the task's thread, which runs what is chained
 * behind it (in place, every rule): decoding and the rules then use two cores. What the decoder makes of
 * each payload is recorded there and replayed here, in input order, through {@link DecodeFunction}'s output
 * (its counters, the events, the dead letters); each watermark goes out after the payloads before it.
 * Nothing stays in flight across a checkpoint barrier (drained before it) or the end of the input, so the
 * operator has no state and emits exactly what the function would.
 */
final class DecodeAhead extends AbstractUdfStreamOperator<EcrEvent, DecodeFunction>
        implements OneInputStreamOperator<Payload, EcrEvent>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    /** Payloads decoded or being decoded, not yet emitted: bounds the events held (a log file's each). */
    static final int IN_FLIGHT = 8;

    private transient ExecutorService worker;
    /** {@link Pending} payloads and the watermarks between them, in input order. */
    private transient ArrayDeque<Object> queue;
    private transient int payloads;
    private transient TimestampedCollector<EcrEvent> collector;
    private transient DecodeFunction.Output target;
    /** The payload whose results {@link #emit} replays. */
    private transient Pending replaying;

    DecodeAhead(DecodeFunction decode) {
        super(decode);
        chainingStrategy = ChainingStrategy.ALWAYS;
    }

    private record Pending(Future<Recorded> result, boolean stamped, long timestamp) {}

    @Override
    public void open() throws Exception {
        super.open();
        String name = getOperatorName() + " (decoder thread)";
        worker = Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, name);
            t.setDaemon(true);
            return t;
        });
        queue = new ArrayDeque<>();
        collector = new TimestampedCollector<>(output);
        target = userFunction.output(collector, this::sideOutput);
    }

    /** As a process function's context: stamped as the payload was. */
    private <X> void sideOutput(OutputTag<X> tag, X value) {
        output.collect(tag, replaying.stamped() ? new StreamRecord<>(value, replaying.timestamp()) : new StreamRecord<>(value));
    }

    @Override
    public void processElement(StreamRecord<Payload> element) throws Exception {
        Payload payload = element.getValue();
        queue.add(new Pending(worker.submit(() -> {
            Recorded r = new Recorded();
            userFunction.decode(payload, r);
            return r;
        }), element.hasTimestamp(), element.getTimestamp()));
        // The decoder stays IN_FLIGHT payloads ahead: the oldest goes out when one more comes in.
        if (++payloads > IN_FLIGHT) {
            emit(1);
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        if (queue.isEmpty()) {
            super.processWatermark(mark);
        } else {
            queue.add(mark);
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        emit(Integer.MAX_VALUE);
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void endInput() throws Exception {
        emit(Integer.MAX_VALUE);
    }

    @Override
    public void finish() throws Exception {
        emit(Integer.MAX_VALUE);
        super.finish();
    }

    @Override
    public void close() throws Exception {
        if (worker != null) {
            worker.shutdownNow();
        }
        super.close();
    }

    /**
     * Emits the oldest {@code count} payloads' results (waiting for them) and the watermarks before and after
     * them, up to the next payload still held.
     */
    private void emit(int count) throws Exception {
        while (!queue.isEmpty()) {
            Object head = queue.peek();
            if (head instanceof Watermark mark) {
                queue.poll();
                super.processWatermark(mark);
                continue;
            }
            if (count-- <= 0) {
                return;
            }
            Pending p = (Pending) queue.poll();
            payloads--;
            Recorded r = result(p.result());
            replaying = p;
            if (p.stamped()) {
                collector.setAbsoluteTimestamp(p.timestamp());
            } else {
                collector.eraseTimestamp();
            }
            r.replay(target);
        }
    }

    private static Recorded result(Future<Recorded> result) throws Exception {
        try {
            return result.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    private record Rejected(DeadLetter deadLetter) {}

    private record Origin(EcrEvent record) {}

    /** One payload's results, recorded on the decoder's thread and replayed on the task's. */
    static final class Recorded implements DecodeFunction.Output {
        /** Events and dead letters in the order they came. */
        private final List<Object> out = new ArrayList<>();
        private final List<String> skipped = new ArrayList<>(0);
        private long prefiltered;
        private long fileBytes = -1;

        @Override
        public void event(EcrEvent event) {
            out.add(event);
        }

        @Override
        public void deadLetter(DeadLetter deadLetter) {
            out.add(deadLetter);
        }

        @Override
        public void rejected(DeadLetter deadLetter) {
            out.add(new Rejected(deadLetter));
        }

        @Override
        public void origin(EcrEvent record) {
            out.add(new Origin(record));
        }

        @Override
        public void skipped(String why) {
            skipped.add(why);
        }

        @Override
        public void prefiltered(long records) {
            prefiltered += records;
        }

        @Override
        public void fileDone(long bytes) {
            fileBytes = bytes;
        }

        void replay(DecodeFunction.Output to) {
            for (Object o : out) {
                if (o instanceof EcrEvent e) {
                    to.event(e);
                } else if (o instanceof Rejected r) {
                    to.rejected(r.deadLetter());
                } else if (o instanceof Origin origin) {
                    to.origin(origin.record());
                } else {
                    to.deadLetter((DeadLetter) o);
                }
            }
            skipped.forEach(to::skipped);
            if (prefiltered > 0) {
                to.prefiltered(prefiltered);
            }
            if (fileBytes >= 0) {
                to.fileDone(fileBytes);
            }
        }
    }
}
