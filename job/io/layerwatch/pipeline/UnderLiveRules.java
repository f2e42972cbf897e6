package io.layerwatch.pipeline;

import io.layerwatch.config.LiveRules;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesUpdate;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * A {@link RulesStep} under the live rules (streaming with a rules URI, and every run not in
 * place).
 */
final class UnderLiveRules<I, O> extends BroadcastProcessFunction<I, RulesUpdate, O> {
    private static final long serialVersionUID = 1L;
    private final LiveRules live;
    private final RulesStep<I, O> step;

    UnderLiveRules(RulesConfig config, RulesStep<I, O> step) {
        this.live = new LiveRules(config);
        this.step = step;
    }

    @Override
    public void open(OpenContext openContext) {
        step.open(getRuntimeContext());
    }

    @Override
    public void processElement(I in, ReadOnlyContext ctx, Collector<O> out) throws Exception {
        step.apply(in, live.current(ctx.getBroadcastState(LiveRules.STATE)), out, ctx::output);
    }

    @Override
    public void processBroadcastElement(RulesUpdate update, Context ctx, Collector<O> out)
            throws Exception {
        LiveRules.update(ctx.getBroadcastState(LiveRules.STATE), update);
    }
}
