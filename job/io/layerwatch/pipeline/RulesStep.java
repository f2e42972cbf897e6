package io.layerwatch.pipeline;

import io.layerwatch.config.RulesConfig;
import java.io.Serializable;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.util.Collector;

/** What a rules operator does with each element under the rules in force. */
interface RulesStep<I, O> extends Serializable {
    void open(RuntimeContext ctx);

    /**
     * Judges one input under the rules in force.
     *
     * @param side where side outputs go (the function's context)
     */
    void apply(I in, RulesConfig config, Collector<O> out, SideOutput side);
}
