package io.layerwatch.patterns;

import io.layerwatch.config.RuleSettings;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Runs a {@link CepRule} whose pattern has a {@link MatchLogic} the way Flink's CEP operator runs it in
 * event time, without its NFA: events at or behind the watermark are dropped (late); the others wait
 * until the watermark passes them and are then fed, timestamp by timestamp, in the comparator's order,
 * each timestamp after advancing the time to it. Matches become the rule's findings. Keyed as the
 * rule's CEP input (principal, principal and access key).
 */
public final class PatternMatcher extends KeyedProcessFunction<String, EcrEvent, Finding> {
    private static final long serialVersionUID = 1L;

    private final CepRule rule;
    private final RuleSettings settings;
    private final MatchLogic logic;
    private final Comparator<EcrEvent> order;
    private final boolean sorted;
    private transient MapState<Long, List<EcrEvent>> pending;

    /**
     * @param order how CEP orders events of one timestamp (the comparator given to CEP.pattern)
     * @param sorted the input comes in that order already, each event before the watermark that passes it
     *     (after the replay's {@code EventTimeOrder}): events are judged as they arrive, without a buffer
     */
    public PatternMatcher(CepRule rule, RuleSettings settings, MatchLogic logic, Comparator<EcrEvent> order,
            boolean sorted) {
        this.rule = rule;
        this.settings = settings;
        this.logic = logic;
        this.order = order;
        this.sorted = sorted;
    }

    @Override
    public void open(Configuration parameters) {
        pending = getRuntimeContext().getMapState(new MapStateDescriptor<>("pending", Types.LONG,
                Types.LIST(TypeInformation.of(EcrEvent.class))));
        logic.open(getRuntimeContext(), sorted);
    }

    @Override
    public void processElement(EcrEvent e, Context ctx, Collector<Finding> out) throws Exception {
        long time = ctx.timestamp();
        if (time <= ctx.timerService().currentWatermark()) {
            return; // late: CEP drops it as well (the pipeline has counted it already)
        }
        if (sorted) {
            logic.begin();
            try {
                logic.advance(time);
                accept(e, out);
                scheduleTimeout(ctx.timerService(), time);
            } finally {
                logic.end();
            }
            return;
        }
        List<EcrEvent> events = pending.get(time);
        if (events == null) {
            events = new ArrayList<>();
            ctx.timerService().registerEventTimeTimer(time);
        }
        events.add(e);
        pending.put(time, events);
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<Finding> out) throws Exception {
        // Sorted, a timeout timer may fire after later events advanced the logic further: a no-op then.
        logic.begin();
        try {
            logic.advance(time);
            List<EcrEvent> events = sorted ? null : pending.get(time);
            if (events != null) {
                events.sort(order); // stable, as CEP's sorted stream
                for (EcrEvent e : events) {
                    accept(e, out);
                }
                pending.remove(time);
            }
            scheduleTimeout(ctx.timerService(), time);
        } finally {
            logic.end();
        }
    }

    private void accept(EcrEvent e, Collector<Finding> out) throws Exception {
        Map<String, List<EcrEvent>> match = logic.accept(e);
        if (match != null) {
            out.collect(rule.toFinding(match, settings));
        }
    }

    /**
     * Sorted input: timeout timers at whole minutes, so that a key's events share them. Each event
     * advances the logic to its own time first, so a partial match dropped up to a minute late is dropped
     * before any later event sees it: only an idle key's state lingers that much longer.
     */
    static final long SORTED_TIMER_STEP = 60_000;

    /** A timer for when the oldest partial match times out, so an idle key frees its state. */
    private void scheduleTimeout(TimerService timers, long time) throws Exception {
        long timeout = logic.nextTimeout();
        if (timeout != Long.MAX_VALUE && timeout > time) {
            timers.registerEventTimeTimer(sorted ? roundUp(timeout) : timeout);
        }
    }

    private static long roundUp(long time) {
        long rest = Math.floorMod(time, SORTED_TIMER_STEP);
        return rest == 0 || time > Long.MAX_VALUE - SORTED_TIMER_STEP ? time : time - rest + SORTED_TIMER_STEP;
    }
}
