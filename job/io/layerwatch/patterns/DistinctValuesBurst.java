package io.layerwatch.patterns;

import io.layerwatch.event.EcrEvent;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * A burst of distinct values where one event may carry many (a BatchDeleteImage names many images):
 * the events of the window, from the first after the last match on, and how often each value occurs
 * among them. A match, of all those events, as soon as the distinct values of some class reach that
 * class's threshold; then it starts again (skip past the last event). An event {@code alone}
 * accepts is a match of its own at once and is not counted. Has no CEP form: a CEP step counts
 * events, not the values in them.
 */
final class DistinctValuesBurst implements MatchLogic {
    private static final long serialVersionUID = 1L;

    /** The values an event carries, each as {class, value}. */
    interface Values extends Serializable {
        List<String[]> of(EcrEvent e);
    }

    private final String step;
    private final String aloneStep;
    private final FollowedBy.Condition alone;
    private final Map<String, Integer> thresholds;
    private final long window;
    private final Values values;
    private transient EventQueue<?> events;

    /** class + NUL + value -> occurrences among the queued events. */
    private transient MapState<String, Integer> counts;

    /** class -> distinct values among the queued events. */
    private transient MapState<String, Integer> distinct;

    /**
     * @param thresholds class -> distinct values that make a match (0: that class never does)
     */
    DistinctValuesBurst(
            String step,
            Map<String, Integer> thresholds,
            long window,
            Values values,
            String aloneStep,
            FollowedBy.Condition alone) {
        this.step = step;
        this.thresholds = Map.copyOf(thresholds);
        this.window = window;
        this.values = values;
        this.aloneStep = aloneStep;
        this.alone = alone;
    }

    @Override
    public void open(RuntimeContext ctx, boolean inPlace, String prefix) {
        String name = prefix + step;
        events = EventQueue.of(ctx, name, inPlace);
        counts =
                ctx.getMapState(
                        new MapStateDescriptor<>(name + "-values", Types.STRING, Types.INT));
        distinct =
                ctx.getMapState(
                        new MapStateDescriptor<>(name + "-distinct", Types.STRING, Types.INT));
    }

    @Override
    public void advance(long time) throws Exception {
        events.expire(time, window, this::forget);
        if (events.isEmpty()) {
            clear();
        }
    }

    @Override
    public void accept(EcrEvent e, Consumer<Map<String, List<EcrEvent>>> matches) throws Exception {
        if (alone.test(e)) {
            matches.accept(Map.of(aloneStep, List.of(e)));
            return;
        }
        if (push(e)) {
            List<EcrEvent> taken = events.all();
            clear();
            matches.accept(Map.of(step, taken));
        }
    }

    /** Queues and counts the event; whether a class reached its threshold. */
    private boolean push(EcrEvent e) throws Exception {
        events.add(e);
        boolean reached = false;
        for (String[] v : values.of(e)) {
            String key = v[0] + '\u0000' + v[1];
            Integer c = counts.get(key);
            counts.put(key, c == null ? 1 : c + 1);
            if (c == null) {
                Integer d = distinct.get(v[0]);
                int now = d == null ? 1 : d + 1;
                distinct.put(v[0], now);
                int n = thresholds.getOrDefault(v[0], 0);
                reached |= n > 0 && now >= n;
            }
        }
        return reached;
    }

    /** An event leaves the window: one occurrence of each of its values fewer. */
    private void forget(EcrEvent e) {
        try {
            for (String[] v : values.of(e)) {
                String key = v[0] + '\u0000' + v[1];
                Integer c = counts.get(key);
                if (c == null || c > 1) {
                    if (c != null) {
                        counts.put(key, c - 1);
                    }
                    continue;
                }
                counts.remove(key);
                Integer d = distinct.get(v[0]);
                if (d == null || d <= 1) {
                    distinct.remove(v[0]);
                } else {
                    distinct.put(v[0], d - 1);
                }
            }
        } catch (Exception failure) {
            throw new IllegalStateException("keyed state of " + step, failure);
        }
    }

    /** The counts follow from the queued events: they are counted again. */
    @Override
    public void copyFrom(MatchLogic other) throws Exception {
        clear();
        for (EcrEvent e : ((DistinctValuesBurst) other).events.all()) {
            push(e);
        }
    }

    @Override
    public void begin() {
        events.begin();
    }

    @Override
    public void end() throws Exception {
        events.end();
    }

    @Override
    public long nextTimeout() throws Exception {
        return events.nextTimeout(window);
    }

    @Override
    public void clear() throws Exception {
        events.clear();
        counts.clear();
        distinct.clear();
    }
}
