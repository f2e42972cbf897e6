package io.layerwatch.pipeline;

import io.layerwatch.config.RulesConfig;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/** A {@link RulesStep} under the startup rules, with one input (so it can chain to the decoder). */
final class UnderStartupRules<I, O> extends ProcessFunction<I, O> {
    private static final long serialVersionUID = 1L;
    private final RulesConfig config;
    private final RulesStep<I, O> step;

    UnderStartupRules(RulesConfig config, RulesStep<I, O> step) {
        this.config = config;
        this.step = step;
    }

    @Override
    public void open(OpenContext openContext) {
        step.open(getRuntimeContext());
    }

    @Override
    public void processElement(I in, Context ctx, Collector<O> out) {
        step.apply(in, config, out, ctx::output);
    }
}
