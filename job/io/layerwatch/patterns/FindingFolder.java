package io.layerwatch.patterns;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.Collector;

/**
 * Folds an episode: findings with the same fold key within the rule's gap of the episode's last
 * event update the same finding (same id, new counts and lastEventTime) instead of creating new
 * ones. A new finding starts only after a quiet gap; a rule with gap 0 is not folded. Pattern
 * episodes, and the repeats of one-per-event rules (foldWindow). Keyed by fold key.
 */
public final class FindingFolder extends FindingsInOrder {
    private static final long serialVersionUID = 1L;
    static final int MAX_LIST = 100;

    /** How a rule folds a finding into the episode's. */
    public interface Merge extends Serializable {
        Finding merge(Finding current, Finding next);
    }

    private final Map<String, Long> gapMillis;
    private final Map<String, Merge> merges;
    private transient ValueState<Finding> current;

    /**
     * @param gapMillis per rule id; rules not listed (or 0) are not folded
     * @param merges per rule id; {@link #mergeDefault} for rules not listed
     * @param inOrder fold in event-time order (see {@link FindingsInOrder}); false: as findings
     *     arrive
     */
    public FindingFolder(Map<String, Long> gapMillis, Map<String, Merge> merges, boolean inOrder) {
        super(inOrder, Duration.ofMillis(Math.max(2 * maxGap(gapMillis), 3_600_000L)));
        this.gapMillis = new LinkedHashMap<>(gapMillis);
        this.merges = new LinkedHashMap<>(merges);
    }

    private static long maxGap(Map<String, Long> gapMillis) {
        return gapMillis.values().stream().mapToLong(Long::longValue).max().orElse(0L);
    }

    /**
     * The repeats of one-per-event findings: same rule, principal (session), repository and source
     * address, and the same subject of the rule (its key: a tag, a registry or a repository, a
     * session key).
     */
    public static String repeatKey(Finding f) {
        Finding.FindingPrincipal p = f.principal();
        return f.ruleId()
                + "|"
                + f.key()
                + "|"
                + (p == null ? "" : p.arn() + "|" + p.sessionName())
                + "|"
                + (f.repository() == null ? "" : f.repository().name())
                + "|"
                + f.sourceIp();
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        super.open(openContext);
        ValueStateDescriptor<Finding> d =
                new ValueStateDescriptor<>("episode", TypeInformation.of(Finding.class));
        // Timers clear the state in event time; the TTL bounds it should a timer never fire.
        d.enableTimeToLive(
                StateTtlConfig.newBuilder(
                                Duration.ofMillis(Math.max(maxGap(gapMillis) * 2, 3_600_000L)))
                        .cleanupFullSnapshot()
                        .build());
        current = getRuntimeContext().getState(d);
    }

    @Override
    protected boolean passesAsIs(Finding f) {
        return gapMillis.getOrDefault(f.ruleId(), 0L) <= 0;
    }

    @Override
    protected void judge(Finding next, Context ctx, Collector<Finding> out) throws Exception {
        long gap = gapMillis.get(next.ruleId());
        Finding episode = current.value();
        Finding emitted;
        if (episode != null
                && next.firstEventTime().toEpochMilli()
                        <= episode.lastEventTime().toEpochMilli() + gap) {
            emitted =
                    merges.getOrDefault(next.ruleId(), FindingFolder::mergeDefault)
                            .merge(episode, next);
        } else {
            emitted = next;
        }
        current.update(emitted);
        ctx.timerService().registerEventTimeTimer(emitted.lastEventTime().toEpochMilli() + gap + 1);
        out.collect(emitted);
    }

    @Override
    protected void onClock(long timestamp, OnTimerContext ctx, Collector<Finding> out)
            throws Exception {
        Finding episode = current.value();
        if (episode != null
                && timestamp
                        > episode.lastEventTime().toEpochMilli()
                                + gapMillis.getOrDefault(episode.ruleId(), 0L)) {
            current.clear();
        }
    }

    /** Counts add up (minus evidence both share), lists union, scalars keep the current value. */
    public static Finding mergeDefault(Finding current, Finding next) {
        Set<String> ids = new LinkedHashSet<>(current.eventIds());
        long overlap = next.eventIds().stream().filter(ids::contains).count();
        ids.addAll(next.eventIds());
        Map<String, Object> details = new LinkedHashMap<>(current.details());
        next.details().forEach((k, v) -> details.merge(k, v, FindingFolder::union));
        List<JsonNode> evidence = new ArrayList<>(current.evidence());
        for (JsonNode n : next.evidence()) {
            if (evidence.size() < FindingBuilder.MAX_EVIDENCE && !evidence.contains(n)) {
                evidence.add(n);
            }
        }
        Instant last =
                next.lastEventTime().isAfter(current.lastEventTime())
                        ? next.lastEventTime()
                        : current.lastEventTime();
        return current.withUpdate(
                current.eventCount() + next.eventCount() - overlap,
                last,
                cap(new ArrayList<>(ids)),
                details,
                evidence);
    }

    private static Object union(Object a, Object b) {
        if (a instanceof List && b instanceof List) {
            Set<Object> all = new LinkedHashSet<>((List<?>) a);
            all.addAll((List<?>) b);
            return cap(new ArrayList<>(all));
        }
        return a;
    }

    private static <T> List<T> cap(List<T> list) {
        return list.size() <= MAX_LIST ? list : new ArrayList<>(list.subList(0, MAX_LIST));
    }
}
