package io.layerwatch.pipeline;

import io.layerwatch.config.LiveRules;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesUpdate;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.patterns.PatternMatcher;
import io.layerwatch.pipeline.JobShape.Keying;
import io.layerwatch.pipeline.JobShape.Watermarks;
import io.layerwatch.rules.OrderedRule;
import java.util.function.Supplier;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * How the rule operators get their events and the rules in force, chosen once from {@link Keying}:
 * in place (one task, startup rules, input sorted by event time) or over the network (keyBy, under
 * the broadcast rules).
 */
abstract sealed class RuleWiring {
    final RulesConfig config;
    final Watermarks watermarks;

    private RuleWiring(RulesConfig config, JobShape shape) {
        this.config = config;
        this.watermarks = shape.watermarks();
    }

    /**
     * Whether the rules on findings (folding, incidents) take them in event-time order, the
     * watermark passing them (a replay: the same output whatever the parallelism), or as they come
     * (a stream: at once).
     */
    boolean findingsInOrder() {
        return watermarks == Watermarks.FROM_EVENTS;
    }

    static RuleWiring of(DataStream<Payload> payloads, RulesConfig config, JobShape shape) {
        if (shape.keying() == Keying.NETWORK) {
            return new Network(payloads, config, shape);
        }
        if (payloads.getExecutionEnvironment().getParallelism() != 1) {
            throw new IllegalArgumentException("keys in place need parallelism 1");
        }
        return new InPlace(config, shape);
    }

    /** The stream keyed by {@code key}. */
    abstract <T> KeyedStream<T, String> keyed(DataStream<T> in, KeySelector<T, String> key);

    /** The events without copies (at-least-once input: same account and event id). */
    abstract SingleOutputStreamOperator<EcrEvent> distinct(DataStream<EcrEvent> events);

    /** {@code step} under the rules in force. */
    abstract <I, O> SingleOutputStreamOperator<O> underRules(
            DataStream<I> in, RulesStep<I, O> step, TypeInformation<O> out);

    /**
     * {@code step} under the rules in force, with one input (chained to the decoder) unless they
     * can change.
     */
    abstract <I, O> SingleOutputStreamOperator<O> underRulesChained(
            DataStream<I> in, RulesStep<I, O> step, TypeInformation<O> out);

    /** An {@link OrderedRule}: in place on sorted input, otherwise under the live rules. */
    abstract <I, O> SingleOutputStreamOperator<O> ordered(
            KeyedStream<I, String> in, OrderedRule.Logic<I, O> logic, TypeInformation<O> out);

    /**
     * A keyed rule with a variant for each: under the startup rules in place, otherwise under the
     * live rules.
     */
    abstract SingleOutputStreamOperator<Finding> keyedRule(
            KeyedStream<EcrEvent, String> in,
            Supplier<KeyedProcessFunction<String, EcrEvent, Finding>> startup,
            Supplier<KeyedBroadcastProcessFunction<String, EcrEvent, RulesUpdate, Finding>> live);

    /** When the pattern matchers judge events and report matches. */
    abstract PatternMatcher.Mode patternMode();

    /**
     * Whether the pattern matchers share one operator ({@link
     * io.layerwatch.patterns.PatternMatchersInPlace}).
     */
    boolean matchersInPlace() {
        return this instanceof InPlace;
    }

    /** Parallelism 1, startup rules: see {@link Keying#IN_PLACE}. */
    private static final class InPlace extends RuleWiring {
        InPlace(RulesConfig config, JobShape shape) {
            super(config, shape);
        }

        @Override
        <T> KeyedStream<T, String> keyed(DataStream<T> in, KeySelector<T, String> key) {
            return DataStreamUtils.reinterpretAsKeyedStream(in, key, Types.STRING);
        }

        @Override
        SingleOutputStreamOperator<EcrEvent> distinct(DataStream<EcrEvent> events) {
            return events.transform(
                            "Event-time order, drop duplicates",
                            TypeInformation.of(EcrEvent.class),
                            new EventTimeOrder(config.maxOutOfOrderness()))
                    .uid("event-time-order");
        }

        @Override
        <I, O> SingleOutputStreamOperator<O> underRules(
                DataStream<I> in, RulesStep<I, O> step, TypeInformation<O> out) {
            return in.process(new UnderStartupRules<>(config, step), out);
        }

        @Override
        <I, O> SingleOutputStreamOperator<O> underRulesChained(
                DataStream<I> in, RulesStep<I, O> step, TypeInformation<O> out) {
            return underRules(in, step, out);
        }

        @Override
        <I, O> SingleOutputStreamOperator<O> ordered(
                KeyedStream<I, String> in, OrderedRule.Logic<I, O> logic, TypeInformation<O> out) {
            return in.process(new OrderedRule.InPlace<>(config, logic), out);
        }

        @Override
        SingleOutputStreamOperator<Finding> keyedRule(
                KeyedStream<EcrEvent, String> in,
                Supplier<KeyedProcessFunction<String, EcrEvent, Finding>> startup,
                Supplier<KeyedBroadcastProcessFunction<String, EcrEvent, RulesUpdate, Finding>>
                        live) {
            return in.process(startup.get());
        }

        @Override
        PatternMatcher.Mode patternMode() {
            return PatternMatcher.Mode.SORTED;
        }
    }

    /** keyBy to the subtask that owns the key, the rules broadcast to every subtask. */
    private static final class Network extends RuleWiring {
        private final BroadcastStream<RulesUpdate> rules;
        private final boolean rulesChange;

        Network(DataStream<Payload> payloads, RulesConfig config, JobShape shape) {
            super(config, shape);
            this.rulesChange = shape.updates().isPresent();
            this.rules =
                    shape.updates().orElseGet(() -> noUpdates(payloads)).broadcast(LiveRules.STATE);
        }

        @Override
        <T> KeyedStream<T, String> keyed(DataStream<T> in, KeySelector<T, String> key) {
            return in.keyBy(key, Types.STRING);
        }

        @Override
        SingleOutputStreamOperator<EcrEvent> distinct(DataStream<EcrEvent> events) {
            return keyed(events, DropDuplicates::key)
                    .process(new DropDuplicates(config.maxOutOfOrderness()))
                    .uid("dedupe-events")
                    .name("Drop duplicate events");
        }

        @Override
        <I, O> SingleOutputStreamOperator<O> underRules(
                DataStream<I> in, RulesStep<I, O> step, TypeInformation<O> out) {
            return in.connect(rules).process(new UnderLiveRules<>(config, step), out);
        }

        @Override
        <I, O> SingleOutputStreamOperator<O> underRulesChained(
                DataStream<I> in, RulesStep<I, O> step, TypeInformation<O> out) {
            return rulesChange
                    ? underRules(in, step, out)
                    : in.process(new UnderStartupRules<>(config, step), out);
        }

        @Override
        <I, O> SingleOutputStreamOperator<O> ordered(
                KeyedStream<I, String> in, OrderedRule.Logic<I, O> logic, TypeInformation<O> out) {
            return in.connect(rules).process(new OrderedRule<>(config, logic), out);
        }

        @Override
        SingleOutputStreamOperator<Finding> keyedRule(
                KeyedStream<EcrEvent, String> in,
                Supplier<KeyedProcessFunction<String, EcrEvent, Finding>> startup,
                Supplier<KeyedBroadcastProcessFunction<String, EcrEvent, RulesUpdate, Finding>>
                        live) {
            return in.connect(rules).process(live.get());
        }

        @Override
        PatternMatcher.Mode patternMode() {
            return watermarks == Watermarks.FROM_SOURCE
                    ? PatternMatcher.Mode.ARRIVAL
                    : PatternMatcher.Mode.WATERMARK;
        }

        /**
         * An empty update stream for runs without live reloading (the broadcast side then stays
         * empty). It says it is idle from the start, so it is left out of the rule operators' event
         * time: the events carry their own clock (the replay's from the events, the stream's from
         * arrival and, when quiet, the wall clock), and the payloads' watermarks here would hold
         * every keyed rule and its buffered events back (a replay's until the end of the input, a
         * stream's while its shards are quiet).
         */
        private static DataStream<RulesUpdate> noUpdates(DataStream<Payload> payloads) {
            return payloads.flatMap((Payload p, Collector<RulesUpdate> out) -> {})
                    .returns(RulesUpdate.class)
                    .uid("rules-static")
                    .name("Rules (static)")
                    .transform(
                            "Rules (static): no event time",
                            TypeInformation.of(RulesUpdate.class),
                            new IdleRules())
                    .uid("rules-static-idle");
        }
    }
}
