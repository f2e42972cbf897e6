package io.layerwatch.patterns;

import io.layerwatch.config.RuleSettings;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.InstantiationUtil;

/**
 * Runs a {@link CepRule} whose pattern has a {@link MatchLogic} the way Flink's CEP operator runs
 * it in event time, without its NFA: events at or behind the watermark are dropped (late); the
 * others are fed, timestamp by timestamp, in the comparator's order, each timestamp after advancing
 * the time to it. Matches become the rule's findings. Keyed as the rule's CEP input (principal,
 * principal and access key, registry). {@link Mode} says when a match is reported.
 */
public final class PatternMatcher extends KeyedProcessFunction<String, EcrEvent, Finding> {
    private static final long serialVersionUID = 1L;

    /** When events are judged and matches reported. */
    public enum Mode {
        /**
         * The input comes in event-time order already, each event before the watermark that passes
         * it (after the replay's {@code EventTimeOrder}): events are judged as they arrive, without
         * a buffer.
         */
        SORTED,
        /**
         * Events wait per key until the watermark passes them, then are judged in order: what CEP
         * does. The output does not depend on the arrival order (a replay above parallelism 1).
         */
        WATERMARK,
        /**
         * A match is reported as soon as the events that complete it have arrived (streaming). The
         * key's events since the watermark are judged in event-time order by a second copy of the
         * logic, ahead of the one the watermark drives; an event that arrives out of order makes
         * that copy start again from the watermark's state with the events since, sorted. Each
         * match is reported once: the logic the watermark drives reports only what the early copy
         * has not (a key with more than {@link #REBUILD_LIMIT} events pending is not judged again
         * on every out-of-order arrival, but when the watermark passes, until it has fewer).
         */
        ARRIVAL
    }

    /**
     * {@link Mode#ARRIVAL}: the most events pending for a key that an out-of-order arrival judges
     * again.
     */
    public static final int REBUILD_LIMIT = 2_000;

    /** State name prefix of the copy of the logic that judges on arrival. */
    static final String EARLY = "early-";

    private final CepRule rule;
    private final RuleSettings settings;
    private final MatchLogic logic;
    private final Comparator<EcrEvent> order;
    private final Mode mode;

    /** Put before every state name: "" alone in its operator, else unique among the matchers. */
    private final String statePrefix;

    private transient MapState<Long, List<EcrEvent>> pending;

    /** {@link Mode#ARRIVAL}: the logic fed with every event that arrived, in order. */
    private transient MatchLogic early;

    /** The last event {@link #early} took (null: it is not built). */
    private transient ValueState<EcrEvent> earlyLast;

    /** How many events are pending (null: none). */
    private transient ValueState<Integer> pendingCount;

    /**
     * Matches reported whose last event the watermark has not passed: their key -> that event's
     * time.
     */
    private transient MapState<String, Long> reported;

    private transient Collector<Finding> out;
    private transient Consumer<Map<String, List<EcrEvent>>> emit;
    private transient Consumer<Map<String, List<EcrEvent>>> emitOnce;

    /**
     * @param order how CEP orders events of one timestamp (the comparator given to CEP.pattern)
     */
    public PatternMatcher(
            CepRule rule,
            RuleSettings settings,
            MatchLogic logic,
            Comparator<EcrEvent> order,
            Mode mode) {
        this(rule, settings, logic, order, mode, "");
    }

    private PatternMatcher(
            CepRule rule,
            RuleSettings settings,
            MatchLogic logic,
            Comparator<EcrEvent> order,
            Mode mode,
            String statePrefix) {
        this.rule = rule;
        this.settings = settings;
        this.logic = logic;
        this.order = order;
        this.mode = mode;
        this.statePrefix = statePrefix;
    }

    /**
     * A matcher on sorted input that shares its operator with others ({@link
     * PatternMatchersInPlace}): its state names start with the rule id, and the operator calls
     * {@link #sorted} and {@link #fired}.
     */
    static PatternMatcher sharing(
            CepRule rule, RuleSettings settings, MatchLogic logic, Comparator<EcrEvent> order) {
        return new PatternMatcher(rule, settings, logic, order, Mode.SORTED, rule.id() + "/");
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        pending =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        statePrefix + "pending",
                                        Types.LONG,
                                        Types.LIST(TypeInformation.of(EcrEvent.class))));
        emit = match -> out.collect(rule.toFinding(match, settings));
        if (mode == Mode.ARRIVAL) {
            early = InstantiationUtil.clone(logic, getRuntimeContext().getUserCodeClassLoader());
            early.open(getRuntimeContext(), false, EARLY);
            earlyLast =
                    getRuntimeContext()
                            .getState(
                                    new ValueStateDescriptor<>(
                                            EARLY + "last", TypeInformation.of(EcrEvent.class)));
            pendingCount =
                    getRuntimeContext()
                            .getState(new ValueStateDescriptor<>(EARLY + "pending", Types.INT));
            reported =
                    getRuntimeContext()
                            .getMapState(
                                    new MapStateDescriptor<>(
                                            EARLY + "reported", Types.STRING, Types.LONG));
            emitOnce = this::reportOnce;
        }
        logic.open(getRuntimeContext(), mode == Mode.SORTED, statePrefix);
    }

    @Override
    public void processElement(EcrEvent e, Context ctx, Collector<Finding> out) throws Exception {
        long time = ctx.timestamp();
        if (mode == Mode.SORTED) {
            sorted(e, time, ctx.timerService(), out);
            return;
        }
        if (time <= ctx.timerService().currentWatermark()) {
            return; // late: CEP drops it as well (the pipeline has counted it already)
        }
        this.out = out;
        List<EcrEvent> events = pending.get(time);
        if (events == null) {
            events = new ArrayList<>();
            ctx.timerService().registerEventTimeTimer(time);
        }
        events.add(e);
        pending.put(time, events);
        if (mode == Mode.ARRIVAL) {
            judgeOnArrival(e);
        }
    }

    /** {@link Mode#SORTED}: judges {@code e}, at {@code time}, under the current key. */
    void sorted(EcrEvent e, long time, TimerService timers, Collector<Finding> out)
            throws Exception {
        if (time <= timers.currentWatermark()) {
            return; // late: CEP drops it as well (the pipeline has counted it already)
        }
        this.out = out;
        logic.begin();
        try {
            logic.advance(time);
            logic.accept(e, emit);
            scheduleTimeout(timers, time);
        } finally {
            logic.end();
        }
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<Finding> out) throws Exception {
        fired(time, ctx.timerService(), out);
    }

    /** The current key's timer at {@code time} fired. */
    void fired(long time, TimerService timers, Collector<Finding> out) throws Exception {
        this.out = out;
        List<EcrEvent> events;
        // Sorted, a timeout timer may fire after later events advanced the logic further: a no-op
        // then.
        logic.begin();
        try {
            logic.advance(time);
            events = mode == Mode.SORTED ? null : pending.get(time);
            if (events != null) {
                acceptInOrder(logic, events, mode == Mode.ARRIVAL ? emitOnce : emit);
                pending.remove(time);
            }
            scheduleTimeout(timers, time);
        } finally {
            logic.end();
        }
        if (mode == Mode.ARRIVAL) {
            madeFinal(time, events == null ? 0 : events.size());
        }
    }

    /**
     * The watermark passed {@code time} and made {@code events} final: reports whose last event it
     * passed are forgotten (no copy of the logic takes that event again), and with no event left
     * pending the early copy is dropped.
     */
    private void madeFinal(long time, int events) throws Exception {
        List<String> done = new ArrayList<>();
        for (Map.Entry<String, Long> r : reported.entries()) {
            if (r.getValue() <= time) {
                done.add(r.getKey());
            }
        }
        for (String key : done) {
            reported.remove(
                    key); // not through the iterator: the heap backend would keep an empty map
        }
        if (events == 0) {
            return;
        }
        Integer count = pendingCount.value();
        if (count == null || count <= events) {
            pendingCount.clear();
            early.clear();
            earlyLast.clear();
        } else {
            pendingCount.update(count - events);
        }
    }

    /**
     * {@link Mode#ARRIVAL}: the early copy takes the event, or starts again if it came out of
     * order.
     */
    private void judgeOnArrival(EcrEvent e) throws Exception {
        Integer before = pendingCount.value();
        int count = before == null ? 1 : before + 1;
        pendingCount.update(count);
        EcrEvent last = earlyLast.value();
        early.begin();
        try {
            if (last != null && before(last, e)) {
                early.advance(e.eventTime());
                early.accept(e, emitOnce);
                earlyLast.update(e);
                return;
            }
            if (count
                    > REBUILD_LIMIT) { // judged when the watermark passes, until fewer are pending
                if (last != null) {
                    early.clear();
                    earlyLast.clear();
                }
                return;
            }
            logic.begin();
            try {
                early.copyFrom(logic);
            } finally {
                logic.end();
            }
            EcrEvent newest = null;
            for (Map.Entry<Long, List<EcrEvent>> at : sortedPending().entrySet()) {
                early.advance(at.getKey());
                newest = acceptInOrder(early, new ArrayList<>(at.getValue()), emitOnce);
            }
            earlyLast.update(newest);
        } finally {
            early.end();
        }
    }

    /**
     * Feeds one timestamp's events to {@code target} in CEP's order (a stable sort of {@code
     * events}, which it reorders); returns the last one.
     */
    private EcrEvent acceptInOrder(
            MatchLogic target, List<EcrEvent> events, Consumer<Map<String, List<EcrEvent>>> matches)
            throws Exception {
        events.sort(order);
        for (EcrEvent e : events) {
            target.accept(e, matches);
        }
        return events.get(events.size() - 1);
    }

    /**
     * Whether {@code a} comes no later than {@code b} in CEP's order (equal: arrival order, as a
     * stable sort).
     */
    private boolean before(EcrEvent a, EcrEvent b) {
        return a.eventTime() < b.eventTime()
                || (a.eventTime() == b.eventTime() && order.compare(a, b) <= 0);
    }

    /**
     * Reports a match unless the early copy (in this build or an earlier one) reported the same
     * one.
     */
    private void reportOnce(Map<String, List<EcrEvent>> match) {
        String key = matchKey(match);
        long last =
                match.values().stream()
                        .flatMap(List::stream)
                        .mapToLong(EcrEvent::eventTime)
                        .max()
                        .orElseThrow();
        try {
            if (reported.contains(key)) {
                return;
            }
            reported.put(key, last);
        } catch (Exception failure) {
            throw new IllegalStateException("keyed state of " + rule.id(), failure);
        }
        emit.accept(match);
    }

    /**
     * The match's steps and events (id, time and content hash: ids may repeat), hashed: the same
     * match gives the same key in any JVM.
     */
    static String matchKey(Map<String, List<EcrEvent>> match) {
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, List<EcrEvent>> step : new TreeMap<>(match).entrySet()) {
            text.append(step.getKey()).append(':');
            step.getValue()
                    .forEach(
                            e ->
                                    text.append(e.eventId())
                                            .append('@')
                                            .append(e.eventTime())
                                            .append('#')
                                            .append(e.hashCode())
                                            .append(','));
            text.append('\n');
        }
        return FindingBuilder.id("match", "", text.toString());
    }

    private SortedMap<Long, List<EcrEvent>> sortedPending() throws Exception {
        TreeMap<Long, List<EcrEvent>> sorted = new TreeMap<>();
        for (Map.Entry<Long, List<EcrEvent>> at : pending.entries()) {
            sorted.put(at.getKey(), at.getValue());
        }
        return sorted;
    }

    /**
     * Sorted input: timeout timers at whole minutes, so that a key's events share them. Each event
     * advances the logic to its own time first, so a partial match dropped up to a minute late is
     * dropped before any later event sees it: only an idle key's state lingers that much longer.
     */
    static final long SORTED_TIMER_STEP = 60_000;

    /** A timer for when the oldest partial match times out, so an idle key frees its state. */
    private void scheduleTimeout(TimerService timers, long time) throws Exception {
        long timeout = logic.nextTimeout();
        if (timeout != Long.MAX_VALUE && timeout > time) {
            timers.registerEventTimeTimer(mode == Mode.SORTED ? roundUp(timeout) : timeout);
        }
    }

    private static long roundUp(long time) {
        long rest = Math.floorMod(time, SORTED_TIMER_STEP);
        return rest == 0 || time > Long.MAX_VALUE - SORTED_TIMER_STEP
                ? time
                : time - rest + SORTED_TIMER_STEP;
    }
}
