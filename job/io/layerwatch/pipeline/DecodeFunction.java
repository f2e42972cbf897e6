package io.layerwatch.pipeline;

import io.layerwatch.config.CloudWatchLogsSenders;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.event.DeadLetter;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.event.decode.DecodeOutput;
import io.layerwatch.event.decode.PayloadDecoder;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Payload -> events; undecodable input -> the dead-letter side output. Never throws on bad input.
 * File payloads (local or s3://) are read here, one at a time, when the decoder gets to them (a
 * replay reads and decodes them on a thread of its own, {@link DecodeAhead}). With the prefilter,
 * CloudTrail records of other services are counted as read without being parsed. CloudWatch Logs
 * messages from senders not configured are dead letters, counted also as {@value
 * Counters#CLOUDWATCH_LOGS_REJECTED}.
 */
public final class DecodeFunction extends ProcessFunction<Payload, EcrEvent> {
    private static final long serialVersionUID = 1L;

    /**
     * How far after its delivery an event time may be; CloudTrail delivers a call after it
     * happened.
     */
    static final Duration TIME_HORIZON = Duration.ofHours(1);

    private final FileReader.Remote remote;
    private final ReadProgress.Locator progress;
    private final boolean prefilter;
    private final CloudWatchLogsSenders senders;
    private final long maxInflatedBytes;
    private transient Decoding decoding;
    private transient RecordsRead read;
    private transient LongCounter deadLettered;
    private transient LongCounter skipped;
    private transient Counter deadLetteredMetric;
    private transient LongCounter rejected;
    private transient Counter rejectedMetric;

    /** Accepts CloudWatch Logs messages of any sender. */
    DecodeFunction() {
        this(CloudWatchLogsSenders.ANY);
    }

    /**
     * @param senders whose CloudWatch Logs messages are accepted
     */
    DecodeFunction(CloudWatchLogsSenders senders) {
        this(
                FileReader.Remote.NONE,
                ReadProgress.Locator.NONE,
                prefilterOn(),
                senders,
                PayloadDecoder.DEFAULT_MAX_INFLATED_BYTES);
    }

    /**
     * Under {@code config}: its CloudWatch Logs senders, and input.maxInflatedBytes (a larger
     * payload or file is a dead letter, never read whole).
     */
    static DecodeFunction of(RulesConfig config) {
        return new DecodeFunction(
                FileReader.Remote.NONE,
                ReadProgress.Locator.NONE,
                prefilterOn(),
                config.cloudWatchLogs(),
                config.maxInflatedBytes());
    }

    /**
     * @param remote reads the files that are not local (S3)
     * @param progress where to tell about records and finished files
     * @param prefilter skip records of other services without parsing them ({@link #prefilterOn})
     * @param senders whose CloudWatch Logs messages are accepted
     * @param maxInflatedBytes input.maxInflatedBytes
     */
    public DecodeFunction(
            FileReader.Remote remote,
            ReadProgress.Locator progress,
            boolean prefilter,
            CloudWatchLogsSenders senders,
            long maxInflatedBytes) {
        this.maxInflatedBytes = maxInflatedBytes;
        this.remote = remote;
        this.progress = progress;
        this.prefilter = prefilter;
        this.senders = senders;
    }

    /**
     * The prefilter is on unless {@value LayerWatchPipeline#PREFILTER_PROPERTY} is false (read when
     * the job is built).
     */
    public static boolean prefilterOn() {
        return !"false".equalsIgnoreCase(System.getProperty(LayerWatchPipeline.PREFILTER_PROPERTY));
    }

    @Override
    public void open(OpenContext openContext) {
        openDecoder();
        read = new RecordsRead(getRuntimeContext(), progress.find());
        deadLettered = getRuntimeContext().getLongCounter(Counters.DEAD_LETTERED);
        skipped = getRuntimeContext().getLongCounter(Counters.SKIPPED);
        deadLetteredMetric = Counters.metrics(getRuntimeContext()).counter(Counters.DEAD_LETTERED);
        rejected = getRuntimeContext().getLongCounter(Counters.CLOUDWATCH_LOGS_REJECTED);
        rejectedMetric =
                Counters.metrics(getRuntimeContext()).counter(Counters.CLOUDWATCH_LOGS_REJECTED);
    }

    @Override
    public void processElement(Payload payload, Context ctx, Collector<EcrEvent> out) {
        decode(payload, output(out, ctx::output));
    }

    /**
     * The decoder and file reader alone, for {@link #decode} outside a Flink task (the replay's
     * InputEvents).
     */
    public void openDecoder() {
        decoding = decoding();
    }

    /** A decoder and a file reader of its own, for a thread of its own ({@link DecodeAhead}). */
    Decoding decoding() {
        return new Decoding(
                new PayloadDecoder(prefilter, senders, maxInflatedBytes), new FileReader(remote));
    }

    /**
     * What the decoder makes of a payload, and the file read, told to the task: {@link
     * DecodeOutput} and the file's size.
     */
    public interface Output extends DecodeOutput {
        /** A file payload was read: {@code bytes} of it (0 when it could not be read). */
        void fileDone(long bytes);

        /** {@code records} records prefiltered at once (a recorded payload's, replayed). */
        void prefiltered(long records);

        @Override
        default void prefiltered() {
            prefiltered(1);
        }

        /** Every output counts these apart (no default: a wrapper must pass them on as such). */
        @Override
        void rejected(DeadLetter deadLetter);
    }

    /**
     * Where results go on the task's thread: counted, events to {@code out}, dead letters to the
     * side output. Only after {@link #open}.
     */
    Output output(Collector<EcrEvent> out, SideOutput side) {
        return new Output() {
            @Override
            public void event(EcrEvent event) {
                read.read(1);
                out.collect(event);
            }

            @Override
            public void prefiltered(long records) {
                read.prefiltered(records);
            }

            @Override
            public void deadLetter(DeadLetter deadLetter) {
                deadLettered.add(1);
                deadLetteredMetric.inc();
                side.output(LayerWatchPipeline.DEAD_LETTERS, deadLetter);
            }

            @Override
            public void rejected(DeadLetter deadLetter) {
                rejected.add(1);
                rejectedMetric.inc();
                deadLetter(deadLetter);
            }

            @Override
            public void skipped(String why) {
                skipped.add(1);
            }

            @Override
            public void fileDone(long bytes) {
                read.fileDone(bytes);
            }
        };
    }

    /**
     * Reads (a file payload) and decodes one payload into {@code output}, with the decoder and file
     * reader {@link #openDecoder} made: one payload at a time.
     */
    public void decode(Payload payload, Output to) {
        decoding.decode(payload, to);
    }

    /** What {@link #decode} needs: one thread's decoder and file reader (neither thread-safe). */
    final class Decoding {
        private final PayloadDecoder decoder;
        private final FileReader files;

        private Decoding(PayloadDecoder decoder, FileReader files) {
            this.decoder = decoder;
            this.files = files;
        }

        void decode(Payload payload, Output to) {
            Output output = plausibleTimes(payload, to);
            byte[] bytes = payload.bytes();
            if (bytes == null) {
                try {
                    files.read(payload.path(), maxInflatedBytes);
                } catch (PayloadDecoder.TooLarge e) {
                    output.deadLetter(DeadLetter.of(payload.source(), "read", e.getMessage(), ""));
                    output.fileDone(0);
                    return;
                } catch (IOException | RuntimeException e) {
                    // our own IOExceptions say it all; the JDK's name the problem in their class
                    String why = e.getClass() == IOException.class ? e.getMessage() : e.toString();
                    output.deadLetter(
                            DeadLetter.of(
                                    payload.source(), "read", "cannot read file: " + why, ""));
                    output.fileDone(0);
                    return;
                }
                decoder.decode(files.bytes(), files.length(), payload.source(), output);
                output.fileDone(files.length());
                return;
            }
            decoder.decode(bytes, payload.source(), output);
        }
    }

    /**
     * {@code output}, but an event more than {@link #TIME_HORIZON} after its payload's delivery (a
     * log file's stamp, a stream record's arrival) is a dead letter: such a time cannot be true,
     * and taken as event time it would make every later event late.
     */
    private static Output plausibleTimes(Payload payload, Output output) {
        long delivered = payload.arrivalTime();
        if (delivered == Long.MIN_VALUE || delivered > Long.MAX_VALUE - TIME_HORIZON.toMillis()) {
            return output;
        }
        long latest = delivered + TIME_HORIZON.toMillis();
        return new Output() {
            @Override
            public void event(EcrEvent event) {
                if (event.eventTime() <= latest) {
                    output.event(event);
                    return;
                }
                output.deadLetter(
                        DeadLetter.ofRecord(
                                payload.source(),
                                PayloadDecoder.STAGE,
                                "implausible eventTime "
                                        + Instant.ofEpochMilli(event.eventTime())
                                        + ": more than "
                                        + TIME_HORIZON.toHours()
                                        + "h after its delivery at "
                                        + Instant.ofEpochMilli(delivered),
                                event.rawJson()));
            }

            @Override
            public void deadLetter(DeadLetter deadLetter) {
                output.deadLetter(deadLetter);
            }

            @Override
            public void rejected(DeadLetter deadLetter) {
                output.rejected(deadLetter);
            }

            @Override
            public void skipped(String why) {
                output.skipped(why);
            }

            @Override
            public void prefiltered(long records) {
                output.prefiltered(records);
            }

            @Override
            public void fileDone(long bytes) {
                output.fileDone(bytes);
            }
        };
    }

    @Override
    public void close() {
        remote.close();
    }
}
