package io.layerwatch.rules;

import io.layerwatch.config.ParamType;
import io.layerwatch.config.RuleSettings;
import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Who a key (a repository) has seen, learned quietly for {@code learningPeriod} from its first
 * sighting; someone unseen for {@code forgetAfter} counts as new again. Keyed state of the rule
 * that holds it.
 */
final class FirstSeen implements Serializable {
    private static final long serialVersionUID = 1L;

    private transient ValueState<Long> learningStart;
    private transient MapState<String, Long> lastSeen;

    /** A sighting that is news: {@code previous} is the last one before it, null for never. */
    record New(Long previous, long learningStart) {}

    /** The settings its state lives by (learning, then forgetting). */
    static final String[] RETENTION = {"learningPeriod", "forgetAfter"};

    private static Duration retention(RuleSettings settings) {
        return settings.duration("forgetAfter").plus(settings.duration("learningPeriod"));
    }

    void open(RuntimeContext ctx, RuleSettings startup, boolean expire) {
        ValueStateDescriptor<Long> start = new ValueStateDescriptor<>("learning-start", Types.LONG);
        MapStateDescriptor<String, Long> seen =
                new MapStateDescriptor<>("last-seen", Types.STRING, Types.LONG);
        if (expire) {
            start.enableTimeToLive(OrderedRule.ttl(retention(startup)));
            seen.enableTimeToLive(OrderedRule.ttl(retention(startup)));
        }
        learningStart = ctx.getState(start);
        lastSeen = ctx.getMapState(seen);
    }

    /**
     * Records {@code who} at {@code time}; the sighting when it is news after the learning period,
     * else null.
     */
    New see(String who, long time, RuleSettings settings) throws Exception {
        Long start = learningStart.value();
        if (start == null) {
            start = time;
            learningStart.update(start);
        }
        Long previous = lastSeen.get(who);
        lastSeen.put(who, previous == null ? time : Math.max(previous, time));
        boolean learning = time < start + settings.duration("learningPeriod").toMillis();
        boolean known =
                previous != null && time - previous <= settings.duration("forgetAfter").toMillis();
        return learning || known ? null : new New(previous, start);
    }

    /**
     * Why the sighting is news, as the end of a sentence: {@code doing} is "pulling", "pushing".
     */
    static String since(New news, RuleSettings settings, String doing) {
        return news.previous() == null
                ? ", for the first time since LayerWatch started learning this repository"
                : ", after not "
                        + doing
                        + " for longer than "
                        + ParamType.format(settings.duration("forgetAfter"));
    }
}
