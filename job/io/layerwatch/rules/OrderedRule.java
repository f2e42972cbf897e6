package io.layerwatch.rules;

import io.layerwatch.config.LiveRules;
import io.layerwatch.config.RuleSettings;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesUpdate;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.FindingBuilder;
import java.io.Serializable;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * A keyed rule with state of its own that judges its inputs in event-time order, so any arrival
 * order gives the same findings. Under live rules each input waits (keyed state, an event-time
 * timer) until the watermark passes it; a late one is judged at once. {@link InPlace} runs it under
 * the startup rules on input already sorted (a replay at parallelism 1, see LayerWatchPipeline):
 * judged as it comes.
 *
 * @param <I> the input (an event, or an event with what an earlier stage found out about it)
 * @param <O> the output
 */
@SuppressWarnings("SameNameButDifferent") // Context: each function class its own
public class OrderedRule<I, O> extends KeyedBroadcastProcessFunction<String, I, RulesUpdate, O> {
    private static final long serialVersionUID = 1L;

    private final LiveRules live;
    private final Logic<I, O> logic;
    private transient EventTimeBuffer<I> buffer;

    public OrderedRule(RulesConfig config, Logic<I, O> logic) {
        this.live = new LiveRules(config);
        this.logic = logic;
    }

    /** The rule's own part: its keyed state, how its inputs are timed, and the judgement. */
    public interface Logic<I, O> extends Serializable {
        /** The rule whose settings {@link #judge} gets. */
        String ruleId();

        /** The input type, for the buffer. */
        TypeInformation<I> inputType();

        long eventTime(I in);

        /** Ties in event time are judged in this order (event id). */
        Comparator<I> order();

        /** How long the rule's state lives; also bounds buffered inputs under a stalled clock. */
        Duration retention(RuleSettings startup);

        /**
         * Opens the rule's state.
         *
         * @param startup the rule's settings at startup (state retention is fixed then)
         * @param expire give the state {@link #retention} as time to live (counted in processing
         *     time)
         */
        void open(RuntimeContext ctx, RuleSettings startup, boolean expire);

        void judge(I in, RuleSettings settings, Collector<O> out) throws Exception;
    }

    /**
     * A logic of rule {@code ruleId} whose state lives as long as the sum of its {@code retention}
     * durations.
     */
    public abstract static class Base<I, O> implements Logic<I, O> {
        private static final long serialVersionUID = 1L;
        private final String ruleId;
        private final List<String> retentionKeys;

        protected Base(String ruleId, String... retentionKeys) {
            this.ruleId = ruleId;
            this.retentionKeys = List.of(retentionKeys);
        }

        @Override
        public String ruleId() {
            return ruleId;
        }

        @Override
        public Duration retention(RuleSettings startup) {
            Duration sum = Duration.ZERO;
            for (String key : retentionKeys) {
                sum = sum.plus(startup.duration(key));
            }
            return sum;
        }

        /** {@code state} with {@link #retention} as its time to live when {@code expire}. */
        protected <D extends StateDescriptor<?, ?>> D expiring(
                D state, RuleSettings startup, boolean expire) {
            if (expire) {
                state.enableTimeToLive(ttl(retention(startup)));
            }
            return state;
        }
    }

    /** A logic whose inputs are events, in event-time order (ties by event id). */
    public abstract static class EventLogic<O> extends Base<EcrEvent, O> {
        private static final long serialVersionUID = 1L;

        protected EventLogic(String ruleId, String... retentionKeys) {
            super(ruleId, retentionKeys);
        }

        @Override
        public TypeInformation<EcrEvent> inputType() {
            return TypeInformation.of(EcrEvent.class);
        }

        @Override
        public long eventTime(EcrEvent e) {
            return e.eventTime();
        }

        @Override
        public Comparator<EcrEvent> order() {
            return FindingBuilder.EVENT_ORDER;
        }
    }

    /**
     * Time to live for rule state: written keys expire after {@code retention}, dropped at
     * snapshots.
     */
    public static StateTtlConfig ttl(Duration retention) {
        return StateTtlConfig.newBuilder(retention).cleanupFullSnapshot().build();
    }

    @Override
    public void open(OpenContext openContext) {
        RuleSettings startup = live.startup().rule(logic.ruleId());
        logic.open(getRuntimeContext(), startup, true);
        // Drained by event-time timers; the TTL only bounds a stalled clock.
        buffer =
                new EventTimeBuffer<>(
                        getRuntimeContext(),
                        "pending",
                        logic.inputType(),
                        logic.retention(startup));
    }

    @Override
    public void processElement(I in, ReadOnlyContext ctx, Collector<O> out) throws Exception {
        if (!buffer.hold(in, logic.eventTime(in), ctx.timerService())) {
            logic.judge(in, settings(ctx.getBroadcastState(LiveRules.STATE)), out);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<O> out) throws Exception {
        List<I> due = buffer.release(timestamp, logic.order());
        if (due.isEmpty()) {
            return;
        }
        RuleSettings current = settings(ctx.getBroadcastState(LiveRules.STATE));
        for (I in : due) {
            logic.judge(in, current, out);
        }
    }

    @Override
    public void processBroadcastElement(RulesUpdate update, Context ctx, Collector<O> out)
            throws Exception {
        LiveRules.update(ctx.getBroadcastState(LiveRules.STATE), update);
    }

    private RuleSettings settings(ReadOnlyBroadcastState<String, RulesUpdate> state)
            throws Exception {
        return live.current(state).rule(logic.ruleId());
    }

    /**
     * The rule under the startup rules, on inputs that arrive in event-time order, each before the
     * watermark that passes it: judged as they come, without buffer or timers.
     */
    public static class InPlace<I, O> extends KeyedProcessFunction<String, I, O> {
        private static final long serialVersionUID = 1L;
        private final RuleSettings settings;
        private final Logic<I, O> logic;

        public InPlace(RulesConfig config, Logic<I, O> logic) {
            this.settings = config.rule(logic.ruleId());
            this.logic = logic;
        }

        @Override
        public void open(OpenContext openContext) {
            // Without TTL: it counts processing time, which a replay spends far less of than the
            // retention.
            logic.open(getRuntimeContext(), settings, false);
        }

        @Override
        public void processElement(I in, Context ctx, Collector<O> out) throws Exception {
            logic.judge(in, settings, out);
        }
    }
}
