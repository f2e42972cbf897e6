package io.layerwatch.testing;

import io.layerwatch.config.AttackTechnique;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.Severity;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.Incident;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Incident findings (attack-sequence) and their members as the correlator emits them
 * (incident-contract).
 */
public final class IncidentFindings {

    public static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
    public static final String ACCOUNT = "111122223333";
    public static final String ROLE = "arn:aws:iam::111122223333:role/developer";
    public static final String INCIDENT_ID = "attack-sequence-5f0c1e";
    public static final Finding.FindingPrincipal MALLORY =
            new Finding.FindingPrincipal(
                    ROLE, "AssumedRole", "developer", ACCOUNT, "ASIAEXAMPLEKEY", "mallory");

    private IncidentFindings() {}

    /**
     * A member finding of {@code rule} on payments-api from 198.51.100.23, {@code minutes} after
     * T0, 5 minutes long.
     */
    public static Finding member(
            String id, String rule, Severity severity, int minutes, long events) {
        Instant first = T0.plus(Duration.ofMinutes(minutes));
        return new Finding(
                id,
                rule,
                severity,
                title(rule),
                "why " + rule + " fired",
                ACCOUNT,
                "us-east-1",
                MALLORY,
                new Finding.FindingRepository("payments-api", ACCOUNT),
                "198.51.100.23",
                "docker/24.0",
                first,
                first.plus(Duration.ofMinutes(5)),
                events,
                ROLE,
                List.of("evt-" + id),
                new LinkedHashMap<>(),
                List.of(),
                null);
    }

    /** The demo's three steps: untrusted pulls (HIGH), exposure (CRITICAL), replication (HIGH). */
    public static List<Finding> members() {
        return List.of(
                member("f-pull", RuleCatalog.UNTRUSTED_NETWORK, Severity.HIGH, 0, 31),
                member("f-public", RuleCatalog.REPOSITORY_EXPOSED, Severity.CRITICAL, 20, 1),
                member(
                        "f-replicate",
                        RuleCatalog.REPLICATION_TO_FOREIGN_ACCOUNT,
                        Severity.HIGH,
                        45,
                        1));
    }

    public static final String STORY =
            "pulled from payments-api from an untrusted network (31 calls), then made"
                    + " payments-api public, then replicated payments-api to a foreign account";

    /** The incident over {@code members} (ordered by time), severity the highest member's. */
    public static Finding incident(List<Finding> members) {
        return incident(INCIDENT_ID, members, STORY);
    }

    public static Finding incident(String id, List<Finding> members, String story) {
        Set<AttackTechnique> attack = new LinkedHashSet<>();
        Set<String> tactics = new LinkedHashSet<>();
        List<String> eventIds = new ArrayList<>();
        Severity severity = Severity.HIGH;
        long count = 0;
        for (Finding m : members) {
            attack.addAll(m.attack());
            m.attack().forEach(t -> tactics.add(t.tactic() + " " + t.tacticName()));
            eventIds.addAll(m.eventIds());
            severity = m.severity().atLeast(severity) ? m.severity() : severity;
            count += m.eventCount();
        }
        Incident incident =
                new Incident(
                        members.stream().map(Incident.Member::of).toList(),
                        List.copyOf(tactics),
                        attack.stream().map(AttackTechnique::technique).toList(),
                        List.of(ROLE),
                        List.of("ASIAEXAMPLEKEY"),
                        List.of("198.51.100.23"),
                        List.of("payments-api"),
                        story,
                        false);
        Finding first = members.get(0);
        String title =
                "Attack sequence by "
                        + ROLE
                        + " (mallory): "
                        + String.join(
                                ", ",
                                tactics.stream()
                                        .map(t -> t.substring(t.indexOf(' ') + 1))
                                        .toList());
        Map<String, Object> details = incident.details();
        return new Finding(
                id,
                RuleCatalog.ATTACK_SEQUENCE,
                severity,
                title,
                story,
                ACCOUNT,
                "us-east-1",
                MALLORY,
                first.repository(),
                first.sourceIp(),
                first.userAgent(),
                first.firstEventTime(),
                members.get(members.size() - 1).lastEventTime(),
                count,
                ROLE,
                eventIds,
                details,
                List.of(),
                List.copyOf(attack));
    }

    private static String title(String rule) {
        return switch (rule) {
            case RuleCatalog.UNTRUSTED_NETWORK ->
                    "ECR pulls on payments-api from an untrusted network";
            case RuleCatalog.REPOSITORY_EXPOSED -> "payments-api made public";
            default -> rule + " on payments-api";
        };
    }
}
