package io.layerwatch.patterns;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.config.AttackTechnique;
import io.layerwatch.config.IncidentSettings;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.Severity;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import io.layerwatch.finding.Incident;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.util.Collector;

/**
 * Rule attack-sequence: one actor's findings become one incident. While the actor has no open
 * incident, its findings of the last incident.window are candidates; once they span minRules rules
 * and one of them is minSeverity or above, they open an incident (id from the actor and the first
 * member). Each later finding of the actor within the window of the incident's last member joins
 * it. Every finding passes on; a member is passed on (again, for those seen before the incident
 * opened) marked with the incident id, followed by the incident's new version. Findings that are
 * not an actor's doing (no story step in the catalog, AWS services) pass untouched. Keyed by {@link
 * #actor}.
 */
public final class AttackSequence extends FindingsInOrder {
    private static final long serialVersionUID = 1L;

    public static final String ID = RuleCatalog.ATTACK_SEQUENCE;

    /** Members an incident lists (its counts go on). */
    static final int MAX_MEMBERS = 100;

    /** Candidate findings held per actor. */
    static final int MAX_CANDIDATES = 200;

    static final int MAX_EVENT_IDS = 100;

    /** Members in the order they happened. */
    static final Comparator<Incident.Member> MEMBER_ORDER =
            Comparator.comparing(Incident.Member::when)
                    .thenComparing(Incident.Member::ruleId)
                    .thenComparing(Incident.Member::id);

    private final IncidentSettings settings;
    private final Severity least;
    private final long windowMillis;
    private transient ValueState<Finding> incident;
    private transient ValueState<List<Finding>> candidates;

    /**
     * @param inOrder see {@link FindingsInOrder} (false: streaming, as findings arrive)
     */
    public AttackSequence(RulesConfig config, boolean inOrder) {
        super(inOrder, config.incident().window().multipliedBy(2));
        this.settings = config.incident();
        this.least = config.rule(ID).severity();
        this.windowMillis = settings.window().toMillis();
    }

    /**
     * The actor a finding is correlated by: the role session or the user; "" for none (AWS
     * services).
     */
    public static String actor(Finding f) {
        Finding.FindingPrincipal p = f.principal();
        if (p == null
                || p.arn() == null
                || "AWSService".equals(p.type())
                || p.arn().startsWith("service:")) {
            return "";
        }
        return p.sessionName() == null ? p.arn() : p.arn() + " (" + p.sessionName() + ")";
    }

    /** The finding may join an incident: an actor's doing, of a rule with a story step. */
    static boolean correlates(Finding f) {
        return !f.incident()
                && !actor(f).isEmpty()
                && RuleCatalog.find(f.ruleId()).map(r -> r.story() != null).orElse(false);
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        super.open(openContext);
        StateTtlConfig ttl =
                StateTtlConfig.newBuilder(settings.window().multipliedBy(2))
                        .cleanupFullSnapshot()
                        .build();
        ValueStateDescriptor<Finding> open =
                new ValueStateDescriptor<>("incident", TypeInformation.of(Finding.class));
        open.enableTimeToLive(ttl);
        incident = getRuntimeContext().getState(open);
        ValueStateDescriptor<List<Finding>> held =
                new ValueStateDescriptor<>(
                        "candidates", Types.LIST(TypeInformation.of(Finding.class)));
        held.enableTimeToLive(ttl);
        candidates = getRuntimeContext().getState(held);
    }

    @Override
    protected boolean passesAsIs(Finding f) {
        return !correlates(f);
    }

    @Override
    protected void judge(Finding f, Context ctx, Collector<Finding> out) throws Exception {
        long time = f.lastEventTime().toEpochMilli();
        ctx.timerService().registerEventTimeTimer(time + windowMillis + 1);
        Finding open = incident.value();
        if (open != null && time - open.lastEventTime().toEpochMilli() > windowMillis) {
            open = null;
            incident.clear();
        }
        if (open != null) {
            out.collect(f.inIncident(open.id()));
            Finding grown = grow(open, f);
            incident.update(grown);
            out.collect(grown);
            return;
        }
        List<Finding> held = hold(candidates.value(), f, time - windowMillis);
        if (!qualifies(held)) {
            candidates.update(held);
            out.collect(f);
            return;
        }
        candidates.clear();
        Finding opened = open(held);
        held.sort(ORDER);
        for (Finding member : held) {
            out.collect(member.inIncident(opened.id()));
        }
        incident.update(opened);
        out.collect(opened);
    }

    @Override
    protected void onClock(long timestamp, OnTimerContext ctx, Collector<Finding> out)
            throws Exception {
        Finding open = incident.value();
        if (open != null && timestamp > open.lastEventTime().toEpochMilli() + windowMillis) {
            incident.clear();
        }
        List<Finding> held = candidates.value();
        if (held != null
                && held.stream()
                        .allMatch(
                                c -> timestamp > c.lastEventTime().toEpochMilli() + windowMillis)) {
            candidates.clear();
        }
    }

    /**
     * The candidates within the window before {@code since}, {@code f} in place of an earlier
     * version of it.
     */
    static List<Finding> hold(List<Finding> held, Finding f, long since) {
        List<Finding> out = new ArrayList<>();
        if (held != null) {
            for (Finding c : held) {
                if (!c.id().equals(f.id()) && c.lastEventTime().toEpochMilli() >= since) {
                    out.add(c);
                }
            }
        }
        out.add(f);
        while (out.size() > MAX_CANDIDATES) {
            out.remove(0);
        }
        return out;
    }

    boolean qualifies(List<Finding> held) {
        return held.stream().map(Finding::ruleId).distinct().count() >= settings.minRules()
                && held.stream().anyMatch(c -> c.severity().atLeast(settings.minSeverity()));
    }

    /**
     * A new incident of the actor of {@code members}; its id from the actor and the first member.
     */
    Finding open(List<Finding> members) {
        List<Incident.Member> listed =
                members.stream().map(Incident.Member::of).sorted(MEMBER_ORDER).toList();
        Finding first =
                members.stream()
                        .filter(m -> m.id().equals(listed.get(0).id()))
                        .findFirst()
                        .orElseThrow();
        String actor = actor(first);
        Parts parts = new Parts();
        members.forEach(parts::add);
        return build(
                FindingBuilder.id(ID, actor, first.id()),
                first,
                actor,
                listed,
                parts,
                members.stream().mapToLong(Finding::eventCount).sum());
    }

    /** The incident with {@code f} (a new member, or a later version of one). */
    Finding grow(Finding open, Finding f) {
        Incident was = Incident.of(open).orElseThrow();
        Map<String, Incident.Member> members = new LinkedHashMap<>();
        was.members().forEach(m -> members.put(m.id(), m));
        long count = open.eventCount();
        Incident.Member before = members.get(f.id());
        if (before != null) {
            count -= before.eventCount();
        }
        if (before != null || members.size() < MAX_MEMBERS) {
            members.put(f.id(), Incident.Member.of(f));
        }
        Parts parts = new Parts(was, open);
        parts.add(f);
        List<Incident.Member> listed = members.values().stream().sorted(MEMBER_ORDER).toList();
        return build(open.id(), open, actor(open), listed, parts, count + f.eventCount());
    }

    /** What an incident gathers from its members besides the member list. */
    private static final class Parts {
        final Set<String> principals = new LinkedHashSet<>();
        final Set<String> accessKeys = new LinkedHashSet<>();
        final Set<String> sourceIps = new LinkedHashSet<>();
        final Set<String> repositories = new LinkedHashSet<>();
        final Set<String> eventIds = new LinkedHashSet<>();

        /** The first evidence record of each member, as far as the cap goes. */
        final List<JsonNode> evidence = new ArrayList<>();

        Parts() {}

        Parts(Incident was, Finding open) {
            principals.addAll(was.principals());
            accessKeys.addAll(was.accessKeys());
            sourceIps.addAll(was.sourceIps());
            repositories.addAll(was.repositories());
            eventIds.addAll(open.eventIds());
            evidence.addAll(open.evidence());
        }

        void add(Finding f) {
            Finding.FindingPrincipal p = f.principal();
            addCapped(principals, p.arn());
            addCapped(accessKeys, p.accessKeyId());
            addCapped(sourceIps, f.sourceIp());
            addCapped(repositories, f.repository() == null ? null : f.repository().name());
            for (String id : f.eventIds()) {
                addCapped(eventIds, id);
            }
            if (!f.evidence().isEmpty()
                    && evidence.size() < FindingBuilder.MAX_EVIDENCE
                    && !evidence.contains(f.evidence().get(0))) {
                evidence.add(f.evidence().get(0));
            }
        }

        private static void addCapped(Set<String> set, String value) {
            if (value != null && set.size() < MAX_EVENT_IDS) {
                set.add(value);
            }
        }
    }

    private Finding build(
            String id,
            Finding subject,
            String actor,
            List<Incident.Member> members,
            Parts parts,
            long eventCount) {
        List<AttackTechnique> attack = new ArrayList<>();
        Set<String> tactics = new LinkedHashSet<>();
        Set<String> tacticIds = new LinkedHashSet<>();
        Severity highest = least;
        for (Incident.Member m : members) {
            highest = Severity.max(highest, m.severity());
            for (AttackTechnique t : RuleCatalog.attack(m.ruleId())) {
                if (attack.stream().noneMatch(a -> a.technique().equals(t.technique()))) {
                    attack.add(t);
                }
                tactics.add(t.tactic() + " " + t.tacticName());
                tacticIds.add(t.tactic());
            }
        }
        List<String> rules = members.stream().map(Incident.Member::ruleId).distinct().toList();
        boolean raised = settings.raises(rules, tacticIds) && highest != Severity.CRITICAL;
        Severity severity = raised ? highest.raised() : highest;
        Incident incident =
                new Incident(
                        members,
                        List.copyOf(tactics),
                        attack.stream().map(AttackTechnique::technique).toList(),
                        List.copyOf(parts.principals),
                        List.copyOf(parts.accessKeys),
                        List.copyOf(parts.sourceIps),
                        List.copyOf(parts.repositories),
                        story(members),
                        raised);
        Instant first =
                members.stream()
                        .map(Incident.Member::firstEventTime)
                        .min(Comparator.naturalOrder())
                        .orElseThrow();
        Instant last =
                members.stream()
                        .map(Incident.Member::lastEventTime)
                        .max(Comparator.naturalOrder())
                        .orElseThrow();
        String title =
                "Attack sequence by "
                        + actor
                        + ": "
                        + String.join(
                                ", ",
                                attack.stream()
                                        .map(AttackTechnique::tacticName)
                                        .distinct()
                                        .toList());
        return new Finding(
                id,
                ID,
                severity,
                title,
                incident.story(),
                subject.accountId(),
                subject.region(),
                subject.principal(),
                subject.repository(),
                subject.sourceIp(),
                subject.userAgent(),
                first,
                last,
                eventCount,
                actor,
                List.copyOf(parts.eventIds),
                incident.details(),
                List.copyOf(parts.evidence),
                attack);
    }

    /**
     * "Changed the settings of payments-api after a vulnerable scan, then called ECR on
     * payments-api from an untrusted network, 198.51.100.23 (31 calls), then ...": one step per
     * rule, in the order of its first member.
     */
    static String story(List<Incident.Member> members) {
        Map<String, List<Incident.Member>> byRule = new LinkedHashMap<>();
        members.forEach(m -> byRule.computeIfAbsent(m.ruleId(), r -> new ArrayList<>()).add(m));
        StringBuilder story = new StringBuilder();
        byRule.forEach(
                (rule, ofRule) -> {
                    Set<String> repos = new LinkedHashSet<>();
                    Set<String> ips = new LinkedHashSet<>();
                    long n = 0;
                    for (Incident.Member m : ofRule) {
                        if (m.repository() != null) {
                            repos.add(m.repository());
                        }
                        if (m.sourceIp() != null) {
                            ips.add(m.sourceIp());
                        }
                        n += m.eventCount();
                    }
                    String template =
                            RuleCatalog.find(rule).map(RuleCatalog.Rule::story).orElse(rule);
                    story.append(story.isEmpty() ? "" : ", then ")
                            .append(
                                    template.replace("{repo}", few(repos, "a repository"))
                                            .replace("{ip}", few(ips, "an unknown address"))
                                            .replace("{n}", String.valueOf(n)));
                });
        return story.isEmpty()
                ? ""
                : story.substring(0, 1).toUpperCase(Locale.ROOT) + story.substring(1) + ".";
    }

    private static String few(Set<String> values, String none) {
        if (values.isEmpty()) {
            return none;
        }
        List<String> list = List.copyOf(values);
        return list.size() <= 3
                ? String.join(", ", list)
                : String.join(", ", list.subList(0, 3)) + " and " + (list.size() - 3) + " more";
    }
}
