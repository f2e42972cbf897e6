package io.layerwatch.pipeline;

import io.layerwatch.event.DeadLetter;
import io.layerwatch.event.DecodeOutput;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.event.PayloadDecoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Payload -> events; undecodable input -> the dead-letter side output. Never throws on bad input.
 * With the prefilter, CloudTrail records of other services are counted as read without being parsed.
 */
final class DecodeFunction extends ProcessFunction<Payload, EcrEvent> {
    private static final long serialVersionUID = 1L;

    private final boolean prefilter;
    private transient PayloadDecoder decoder;
    private transient LongCounter eventsRead;
    private transient LongCounter prefiltered;
    private transient LongCounter deadLettered;
    private transient LongCounter skipped;
    private transient Counter eventsReadMetric;
    private transient Counter deadLetteredMetric;

    DecodeFunction(boolean prefilter) {
        this.prefilter = prefilter;
    }

    @Override
    public void open(Configuration parameters) {
        decoder = new PayloadDecoder(prefilter);
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
                eventsRead.add(1);
                eventsReadMetric.inc();
                out.collect(event);
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

            @Override
            public void prefiltered() {
                eventsRead.add(1);
                eventsReadMetric.inc();
                prefiltered.add(1);
            }
        };
        byte[] bytes = payload.bytes();
        if (bytes == null) {
            try {
                bytes = Files.readAllBytes(Paths.get(payload.path()));
            } catch (IOException | RuntimeException e) {
                output.deadLetter(DeadLetter.of(payload.source(), "read", "cannot read file: " + e, ""));
                return;
            }
        }
        decoder.decode(bytes, payload.source(), output);
    }
}
