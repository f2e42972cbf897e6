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
 * Decoders on threads of their own ({@link #DECODERS} when the job runs at parallelism 1, one per
 * subtask above it; payloads dealt to them in turn, each with its own decoder and file reader), a
 * few payloads ahead of the task's thread, which runs what is chained behind them (in place, every
 * rule): decoding and the rules then use every core of a small machine. How far ahead is bounded in
 * payloads ({@link #IN_FLIGHT}) and in bytes of decoded results ({@link #AHEAD_BYTES}). What a
 * decoder makes of each payload is recorded there and replayed here, in input order, through {@link
 * DecodeFunction}'s output (its counters, the events, the dead letters); each watermark goes out
 * after the payloads before it. Nothing stays in flight across a checkpoint barrier (drained before
 * it) or the end of the input, so the operator has no state and emits what the function would; only
 * the split of records between read and prefiltered differs, as between parallel decoders (each
 * notes the session keys it has seen, see {@code SessionKeys}).
 */
final class DecodeAhead extends AbstractUdfStreamOperator<EcrEvent, DecodeFunction>
        implements OneInputStreamOperator<Payload, EcrEvent>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    /**
     * Payloads queued for the decoder or decoded, not yet emitted (a file payload queued is only
     * its path).
     */
    static final int IN_FLIGHT = 8;

    /**
     * Decoder threads at parallelism 1. Two: a trail of mostly other services keeps a decoder busy
     * while the rules idle; on ECR calls the rules take about as much CPU as one decoder. Above
     * parallelism 1 each subtask has one, so that N subtasks add decoders to those of parallelism 1
     * rather than to the cores' load alone.
     */
    static final int DECODERS = 2;

    /**
     * About how many bytes of decoded results (events, dead letters) may wait for the task's
     * thread: past it a decoder waits before its next payload. So what is held ahead is this plus
     * one payload's results per decoder.
     */
    static final long AHEAD_BYTES = 64L << 20;

    private final long aheadBytes;
    private transient Budget budget;
    private transient ExecutorService[] workers;
    private transient DecodeFunction.Decoding[] decodings;

    /** Payloads taken so far: the next one's sequence number. */
    private transient long submitted;

    /** {@link Pending} payloads and the watermarks between them, in input order. */
    private transient ArrayDeque<Object> queue;

    private transient int payloads;
    private transient TimestampedCollector<EcrEvent> collector;
    private transient DecodeFunction.Output target;

    /** The payload whose results {@link #emit} replays. */
    private transient Pending replaying;

    DecodeAhead(DecodeFunction decode) {
        this(decode, AHEAD_BYTES);
    }

    /**
     * @param aheadBytes the decoded bytes held ahead past which the decoder waits ({@link
     *     #AHEAD_BYTES})
     */
    DecodeAhead(DecodeFunction decode, long aheadBytes) {
        super(decode);
        this.aheadBytes = aheadBytes;
        chainingStrategy = ChainingStrategy.ALWAYS;
    }

    private record Pending(Future<Recorded> result, boolean stamped, long timestamp) {}

    @Override
    public void open() throws Exception {
        super.open();
        int decoders =
                getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks() == 1 ? DECODERS : 1;
        workers = new ExecutorService[decoders];
        decodings = new DecodeFunction.Decoding[decoders];
        for (int i = 0; i < decoders; i++) {
            String name = getOperatorName() + " (decoder thread " + (i + 1) + ")";
            workers[i] =
                    Executors.newSingleThreadExecutor(
                            task -> {
                                Thread t = new Thread(task, name);
                                t.setDaemon(true);
                                return t;
                            });
            decodings[i] = userFunction.decoding();
        }
        queue = new ArrayDeque<>();
        budget = new Budget(aheadBytes);
        collector = new TimestampedCollector<>(output);
        target = userFunction.output(collector, this::sideOutput);
    }

    /** As a process function's context: stamped as the payload was. */
    private <X> void sideOutput(OutputTag<X> tag, X value) {
        output.collect(
                tag,
                replaying.stamped()
                        ? new StreamRecord<>(value, replaying.timestamp())
                        : new StreamRecord<>(value));
    }

    @Override
    public void processElement(StreamRecord<Payload> element) throws Exception {
        Payload payload = element.getValue();
        long seq = submitted++;
        int decoder = (int) (seq % workers.length);
        DecodeFunction.Decoding decoding = decodings[decoder];
        queue.add(
                new Pending(
                        workers[decoder].submit(
                                () -> {
                                    budget.awaitRoom(seq);
                                    Recorded r = new Recorded();
                                    decoding.decode(payload, r);
                                    budget.take(r.bytes());
                                    return r;
                                }),
                        element.hasTimestamp(),
                        element.getTimestamp()));
        // The decoder stays IN_FLIGHT payloads ahead: the oldest goes out when one more comes in;
        // and while what it holds is over the budget, the results it is done with go out to make
        // room.
        if (++payloads > IN_FLIGHT) {
            emit(1);
        }
        while (budget.over() && queue.peek() instanceof Pending p && p.result().isDone()) {
            emit(1);
        }
    }

    /** The most bytes {@link #budget} held at once (tests). */
    long peakHeld() {
        return budget.peak();
    }

    /**
     * Bytes of decoded results not yet emitted; a decoder waits for room while they are over the
     * limit, unless its payload is the next to be emitted (the task's thread may be waiting for it,
     * while a later payload's results fill the budget).
     */
    private static final class Budget {
        private final long limit;
        private long held;
        private long peak;

        /** Payloads emitted: the sequence number of the next one to go out. */
        private long emitted;

        Budget(long limit) {
            this.limit = limit;
        }

        synchronized void awaitRoom(long payload) throws InterruptedException {
            while (held > limit && payload != emitted) {
                wait();
            }
        }

        synchronized void take(long bytes) {
            held += bytes;
            peak = Math.max(peak, held);
        }

        /** The next payload went out, with its {@code bytes}. */
        synchronized void give(long bytes) {
            held -= bytes;
            emitted++;
            notifyAll();
        }

        synchronized boolean over() {
            return held > limit;
        }

        synchronized long peak() {
            return peak;
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
        if (workers != null) {
            for (ExecutorService worker : workers) {
                if (worker != null) {
                    worker.shutdownNow();
                }
            }
        }
        super.close();
    }

    /**
     * Emits the oldest {@code count} payloads' results (waiting for them) and the watermarks before
     * and after them, up to the next payload still held.
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
            budget.give(r.bytes());
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

    /** One payload's results, recorded on the decoder's thread and replayed on the task's. */
    static final class Recorded implements DecodeFunction.Output {
        /** Roughly what an event holds besides its raw JSON (fields, strings, principal). */
        private static final int EVENT_BYTES = 512;

        /** Events and dead letters in the order they came. */
        private final List<Object> out = new ArrayList<>();

        /** About how much heap {@link #out} holds. */
        private long bytes;

        private final List<String> skipped = new ArrayList<>(0);
        private long prefiltered;
        private long fileBytes = -1;

        @Override
        public void event(EcrEvent event) {
            out.add(event);
            bytes += EVENT_BYTES + event.rawJson().length();
        }

        @Override
        public void deadLetter(DeadLetter deadLetter) {
            out.add(deadLetter);
            bytes += deadLetterBytes(deadLetter);
        }

        @Override
        public void rejected(DeadLetter deadLetter) {
            out.add(new Rejected(deadLetter));
            bytes += deadLetterBytes(deadLetter);
        }

        /** About how much heap the results take. */
        long bytes() {
            return bytes;
        }

        private static long deadLetterBytes(DeadLetter d) {
            return EVENT_BYTES + 2L * (d.payload().length() + d.reason().length());
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
