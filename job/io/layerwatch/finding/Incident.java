package io.layerwatch.finding;

import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.Severity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an incident finding (rule attack-sequence) holds in its details, typed: the sinks and the
 * report read it from here, the correlator writes it with {@link #details()}. Lists keep the order
 * things happened.
 *
 * @param members the member findings in the order the actor took the steps ({@link Member#when()},
 *     then rule id, then id)
 * @param tactics ATT&CK tactics ("TA0010 Exfiltration") in the order the members show them
 * @param techniques ATT&CK technique ids in the same order
 * @param story one sentence per step, e.g. "pulled 48 layers from an untrusted network, then made
 *     ..."
 * @param raised the severity is one level above the highest member's (the sequence covers every
 *     group of incident.raise)
 */
public record Incident(
        List<Member> members,
        List<String> tactics,
        List<String> techniques,
        List<String> principals,
        List<String> accessKeys,
        List<String> sourceIps,
        List<String> repositories,
        String story,
        boolean raised) {

    /** One member finding as the incident saw it last. */
    public record Member(
            String id,
            String ruleId,
            Severity severity,
            String title,
            Instant firstEventTime,
            Instant lastEventTime,
            long eventCount,
            String repository,
            String sourceIp) {

        /**
         * When the actor took the step: a one-per-event finding's first event (its repeats follow),
         * a pattern's last (the event that completed it: the hop, the change after the scan).
         */
        public Instant when() {
            return RuleCatalog.find(ruleId).map(r -> r.folds()).orElse(true)
                    ? firstEventTime
                    : lastEventTime;
        }

        public static Member of(Finding f) {
            return new Member(
                    f.id(),
                    f.ruleId(),
                    f.severity(),
                    f.title(),
                    f.firstEventTime(),
                    f.lastEventTime(),
                    f.eventCount(),
                    f.repository() == null ? null : f.repository().name(),
                    f.sourceIp());
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("ruleId", ruleId);
            m.put("severity", severity.name());
            m.put("title", title);
            m.put("firstEventTime", firstEventTime.toString());
            m.put("lastEventTime", lastEventTime.toString());
            m.put("eventCount", eventCount);
            m.put("repository", repository);
            m.put("sourceIp", sourceIp);
            return m;
        }

        static Member fromMap(Map<?, ?> m) {
            return new Member(
                    text(m.get("id")),
                    text(m.get("ruleId")),
                    Severity.valueOf(text(m.get("severity"))),
                    text(m.get("title")),
                    Instant.parse(text(m.get("firstEventTime"))),
                    Instant.parse(text(m.get("lastEventTime"))),
                    ((Number) m.get("eventCount")).longValue(),
                    text(m.get("repository")),
                    text(m.get("sourceIp")));
        }
    }

    public Incident {
        members = List.copyOf(members);
        tactics = List.copyOf(tactics);
        techniques = List.copyOf(techniques);
        principals = List.copyOf(principals);
        accessKeys = List.copyOf(accessKeys);
        sourceIps = List.copyOf(sourceIps);
        repositories = List.copyOf(repositories);
    }

    public List<String> memberIds() {
        return members.stream().map(Member::id).toList();
    }

    /** The distinct member rule ids, in the order they first happened. */
    public List<String> rules() {
        return members.stream().map(Member::ruleId).distinct().toList();
    }

    /**
     * The incident in an incident finding; empty for any other finding (or details that are not
     * one).
     */
    public static Optional<Incident> of(Finding f) {
        if (!f.incident() || !(f.details().get("members") instanceof List<?> list)) {
            return Optional.empty();
        }
        List<Member> members = new ArrayList<>();
        for (Object m : list) {
            members.add(Member.fromMap((Map<?, ?>) m));
        }
        Map<String, Object> d = f.details();
        return Optional.of(
                new Incident(
                        members,
                        strings(d.get("tactics")),
                        strings(d.get("techniques")),
                        strings(d.get("principals")),
                        strings(d.get("accessKeys")),
                        strings(d.get("sourceIps")),
                        strings(d.get("repositories")),
                        text(d.get("story")),
                        Boolean.TRUE.equals(d.get("severityRaised"))));
    }

    /**
     * The finding details that hold this incident (JSON-friendly: strings, numbers, lists, maps).
     */
    public Map<String, Object> details() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("memberIds", memberIds());
        d.put("rules", rules());
        d.put("tactics", tactics);
        d.put("techniques", techniques);
        d.put("principals", principals);
        d.put("accessKeys", accessKeys);
        d.put("sourceIps", sourceIps);
        d.put("repositories", repositories);
        d.put("story", story);
        d.put("severityRaised", raised);
        d.put("members", members.stream().map(Member::toMap).toList());
        return d;
    }

    private static String text(Object o) {
        return o == null ? null : o.toString();
    }

    private static List<String> strings(Object o) {
        return o instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of();
    }
}
