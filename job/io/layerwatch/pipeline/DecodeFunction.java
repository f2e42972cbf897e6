package io.layerwatch.pipeline;

import io.layerwatch.event.DeadLetter;
import io.layerwatch.event.DecodeOutput;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.event.PayloadDecoder;
import java.io.IOException;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Payload -> events; undecodable input -> the dead-letter side output. Never throws on bad input.
 * File payloads (local or s3://) are read here, one at a time, when the decoder gets to them. With the
 * prefilter, CloudTrail records of other services are counted as read without being parsed.
 */
final class DecodeFunction extends ProcessFunction<Payload, EcrEvent> {
    private static final long serialVersionUID = 1L;

    private final S3Inputs s3;
    private final String progressId;
    private final boolean prefilter;
    private transient PayloadDecoder decoder;
    private transient ReplayProgress progress;
    private transient LongCounter eventsRead;
    private transient LongCounter prefiltered;
    private transient LongCounter deadLettered;
    private transient LongCounter skipped;
    private transient Counter eventsReadMetric;
    private transient Counter deadLetteredMetric;

    DecodeFunction() {
        this(new S3Inputs(null), null);
    }

    /** @param progressId the {@link ReplayProgress} to tell about records and finished files, or null */
    DecodeFunction(S3Inputs s3, String progressId) {
        this.s3 = s3;
        this.progressId = progressId;
        this.prefilter = !"false".equalsIgnoreCase(System.getProperty(LayerWatchPipeline.PREFILTER_PROPERTY));
    }

    @Override
    public void open(Configuration parameters) {
        decoder = new PayloadDecoder(prefilter);
        progress = ReplayProgress.of(progressId);
        eventsRead = getRuntimeContext().getLongCounter(Counters.EVENTS_READ);
        prefiltered = getRuntimeContext().getLongCounter(Counters.PREFILTERED);
        deadLettered = getRuntimeContext().getLongCounter(Counters.DEAD_LETTERED);
        skipped = getRuntimeContext().getLongCounter(Counters.SKIPPED);
        eventsReadMetric = Counters.metrics(getRuntimeContext()).counter(Counters.EVENTS_READ);
        deadLetteredMetric = Counters.metrics(getRuntimeContext()).counter(Counters.DEAD_LETTERED);
    }

    @Override
    public void processElement(Payload payload, Context ctx, Collector<EcrEvent> out) {
        DecodeOutput output = new DecodeOutput() {
            @Override
            public void event(EcrEvent event) {
                read();
                out.collect(event);
            }

            @Override
            public void prefiltered() {
                read();
                prefiltered.add(1);
            }

            private void read() {
                eventsRead.add(1);
                eventsReadMetric.inc();
                if (progress != null) {
                    progress.record();
                }
            }

            @Override
            public void deadLetter(DeadLetter deadLetter) {
                deadLettered.add(1);
                deadLetteredMetric.inc();
                ctx.output(LayerWatchPipeline.DEAD_LETTERS, deadLetter);
            }

            @Override
            public void skipped(String why) {
                skipped.add(1);
            }
        };
        byte[] bytes = payload.bytes();
        if (bytes == null) {
            try {
                bytes = InputFiles.read(payload.path(), s3);
            } catch (IOException | RuntimeException e) {
                // our own IOExceptions say it all; the JDK's name the problem in their class
                String why = e.getClass() == IOException.class ? e.getMessage() : e.toString();
                output.deadLetter(DeadLetter.of(payload.source(), "read", "cannot read file: " + why, ""));
                fileDone(0);
                return;
            }
            decoder.decode(bytes, payload.source(), output);
            fileDone(bytes.length);
            return;
        }
        decoder.decode(bytes, payload.source(), output);
    }

    private void fileDone(long bytes) {
        if (progress != null) {
            progress.fileDone(bytes);
        }
    }

    @Override
    public void close() {
        s3.close();
    }
}
