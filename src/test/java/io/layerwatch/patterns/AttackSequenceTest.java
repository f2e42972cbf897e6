package io.layerwatch.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.config.Severity;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import io.layerwatch.finding.Incident;
import io.layerwatch.util.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/**
 * One actor's findings into one incident: when it opens, what it holds, what passes on, what state
 * is left.
 */
class AttackSequenceTest {

    static final Instant T = Instant.parse("2026-03-02T10:00:00Z");
    static final String ROLE = "arn:aws:iam::111122223333:role/developer";
    static final RulesConfig CONFIG = RulesConfigLoader.builtIn();

    /**
     * A finding of {@code rule} by the developer role's session {@code session}, {@code minutes}
     * after T.
     */
    static Finding finding(
            String rule, Severity severity, String session, String repo, String ip, int minutes) {
        Instant at = T.plusSeconds(60L * minutes);
        String key = ROLE + "|" + session + "|" + repo + "|" + ip;
        return new Finding(
                FindingBuilder.id(rule, key, rule + minutes),
                rule,
                severity,
                rule + " on " + repo,
                "test",
                "111122223333",
                "us-east-1",
                new Finding.FindingPrincipal(
                        ROLE,
                        "AssumedRole",
                        "developer",
                        "111122223333",
                        "ASIAKEY" + session,
                        session),
                repo == null ? null : new Finding.FindingRepository(repo, "111122223333"),
                ip,
                "aws-cli/2",
                at,
                at,
                1,
                key,
                List.of("event-" + rule + "-" + minutes),
                Map.of(),
                List.of(),
                null);
    }

    static KeyedOneInputStreamOperatorTestHarness<String, Finding, Finding> harness(
            RulesConfig config, boolean inOrder) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new AttackSequence(config, inOrder)),
                        AttackSequence::actor,
                        Types.STRING);
        h.open();
        h.processWatermark(new Watermark(T.toEpochMilli() - 3_600_000));
        return h;
    }

    static void arrive(
            KeyedOneInputStreamOperatorTestHarness<String, Finding, Finding> h, Finding f) {
        try {
            h.processElement(new StreamRecord<>(f, f.lastEventTime().toEpochMilli()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Finding> incidents(List<Finding> out) {
        return out.stream().filter(Finding::incident).toList();
    }

    @Test
    void twoRulesOneOfThemHighOpenAnIncidentThatMarksItsMembers() throws Exception {
        Finding pull =
                finding(
                        RuleCatalog.LAYER_DOWNLOAD,
                        Severity.LOW,
                        "mallory",
                        "payments-api",
                        "198.51.100.23",
                        0);
        Finding outside =
                finding(
                        RuleCatalog.UNTRUSTED_NETWORK,
                        Severity.HIGH,
                        "mallory",
                        "payments-api",
                        "198.51.100.23",
                        5);
        try (var h = harness(CONFIG, false)) {
            arrive(h, pull);
            assertThat(h.extractOutputValues())
                    .as("one rule: passed on as it is")
                    .containsExactly(pull);
            arrive(h, outside);

            List<Finding> out = h.extractOutputValues();
            String id =
                    FindingBuilder.id(RuleCatalog.ATTACK_SEQUENCE, ROLE + " (mallory)", pull.id());
            assertThat(out).hasSize(4);
            assertThat(out.subList(1, 3))
                    .as("both members again, marked")
                    .extracting(Finding::id, Finding::incidentId)
                    .containsExactly(Tuple.tuple(pull.id(), id), Tuple.tuple(outside.id(), id));
            Finding incident = out.get(3);
            assertThat(incident.id()).isEqualTo(id);
            assertThat(incident.severity()).isEqualTo(Severity.HIGH);
            assertThat(incident.firstEventTime()).isEqualTo(pull.firstEventTime());
            assertThat(incident.lastEventTime()).isEqualTo(outside.lastEventTime());
            assertThat(incident.eventCount()).isEqualTo(2);
            assertThat(incident.attack())
                    .extracting(a -> a.technique())
                    .containsExactly("T1530", "T1078.004");
            Incident details = Incident.of(incident).orElseThrow();
            assertThat(details.memberIds()).containsExactly(pull.id(), outside.id());
            assertThat(details.tactics())
                    .containsExactly("TA0009 Collection", "TA0001 Initial Access");
            assertThat(details.sourceIps()).containsExactly("198.51.100.23");
            assertThat(details.accessKeys()).containsExactly("ASIAKEYmallory");
            assertThat(incident.description())
                    .isEqualTo(details.story())
                    .isEqualTo(
                            "Downloaded layers of payments-api (1 downloads), then called ECR on payments-api from an"
                                    + " untrusted network, 198.51.100.23 (1 calls).");
            assertThat(h.numEventTimeTimers()).isPositive();

            h.processWatermark(new Watermark(Long.MAX_VALUE));
            assertThat(h.numKeyedStateEntries()).as("state once the window is over").isZero();
        }
    }

    @Test
    void laterFindingsJoinTheOpenIncidentUntilAQuietWindowEndsIt() throws Exception {
        try (var h = harness(CONFIG, false)) {
            arrive(
                    h,
                    finding(
                            RuleCatalog.LAYER_DOWNLOAD,
                            Severity.LOW,
                            "mallory",
                            "a",
                            "198.51.100.23",
                            0));
            arrive(
                    h,
                    finding(
                            RuleCatalog.UNTRUSTED_NETWORK,
                            Severity.HIGH,
                            "mallory",
                            "a",
                            "198.51.100.23",
                            1));
            Finding exposed =
                    finding(
                            RuleCatalog.REPOSITORY_EXPOSED,
                            Severity.CRITICAL,
                            "mallory",
                            "a",
                            "198.51.100.23",
                            300);
            arrive(h, exposed);
            List<Finding> out = h.extractOutputValues();
            assertThat(out.get(out.size() - 2).incidentId())
                    .isEqualTo(out.get(out.size() - 1).id());
            assertThat(incidents(out).stream().map(Finding::id).distinct()).hasSize(1);
            Finding grown = out.get(out.size() - 1);
            assertThat(grown.severity()).isEqualTo(Severity.CRITICAL);
            assertThat(Incident.of(grown).orElseThrow().rules())
                    .containsExactly(
                            RuleCatalog.LAYER_DOWNLOAD,
                            RuleCatalog.UNTRUSTED_NETWORK,
                            RuleCatalog.REPOSITORY_EXPOSED);

            // More than the 6h window after the last member: a new start, not a member.
            Finding much =
                    finding(
                            RuleCatalog.POLICY_DELETED,
                            Severity.MEDIUM,
                            "mallory",
                            "a",
                            "198.51.100.23",
                            300 + 361);
            arrive(h, much);
            assertThat(h.extractOutputValues().get(h.extractOutputValues().size() - 1))
                    .isEqualTo(much);
        }
    }

    @Test
    void noIncidentWithoutAHighFindingOrASecondRuleOrAnActor() throws Exception {
        try (var h = harness(CONFIG, false)) {
            List<Finding> in = new ArrayList<>();
            in.add(finding(RuleCatalog.LAYER_DOWNLOAD, Severity.LOW, "alice", "a", "10.0.0.1", 0));
            in.add(
                    finding(
                            RuleCatalog.POLICY_DELETED,
                            Severity.MEDIUM,
                            "alice",
                            "a",
                            "10.0.0.1",
                            1));
            for (int i = 0; i < 5; i++) {
                in.add(
                        finding(
                                RuleCatalog.UNTRUSTED_NETWORK,
                                Severity.HIGH,
                                "bob",
                                "r" + i,
                                "10.0.0.2",
                                i));
            }
            // Another session of the same role is another actor.
            in.add(
                    finding(
                            RuleCatalog.UNTRUSTED_NETWORK,
                            Severity.HIGH,
                            "carol",
                            "a",
                            "10.0.0.3",
                            2));
            in.add(finding(RuleCatalog.LAYER_DOWNLOAD, Severity.LOW, "dave", "a", "10.0.0.4", 2));
            in.forEach(f -> arrive(h, f));
            assertThat(h.extractOutputValues()).containsExactlyElementsOf(in);
        }
    }

    @Test
    void scanResultsAndServicesPassUntouched() throws Exception {
        Finding high =
                finding(
                        RuleCatalog.UNTRUSTED_NETWORK,
                        Severity.HIGH,
                        "mallory",
                        "a",
                        "198.51.100.23",
                        0);
        Finding scan =
                finding(RuleCatalog.VULNERABLE_IMAGE_SCAN, Severity.HIGH, "mallory", "a", null, 1);
        Finding service =
                new Finding(
                        "svc",
                        RuleCatalog.POLICY_DELETED,
                        Severity.MEDIUM,
                        "t",
                        "d",
                        "1",
                        "r",
                        new Finding.FindingPrincipal(
                                "service:aws.ecr", "AWSService", "ecr", null, null, null),
                        null,
                        null,
                        null,
                        T,
                        T,
                        1,
                        "k",
                        List.of("e"),
                        Map.of(),
                        List.of(),
                        null);
        try (var h = harness(CONFIG, false)) {
            List.of(high, scan, service).forEach(f -> arrive(h, f));
            assertThat(h.extractOutputValues()).containsExactly(high, scan, service);
            assertThat(AttackSequence.actor(service)).isEmpty();
        }
    }

    @Test
    void exposureWithEvasionRaisesTheSeverityOneLevel() throws Exception {
        try (var h = harness(CONFIG, false)) {
            arrive(
                    h,
                    finding(
                            RuleCatalog.REPOSITORY_EXPOSED,
                            Severity.HIGH,
                            "mallory",
                            "a",
                            "198.51.100.23",
                            0));
            arrive(
                    h,
                    finding(
                            RuleCatalog.POLICY_DELETED,
                            Severity.MEDIUM,
                            "mallory",
                            "a",
                            "198.51.100.23",
                            1));
            Finding incident = incidents(h.extractOutputValues()).get(0);
            assertThat(incident.severity()).isEqualTo(Severity.CRITICAL);
            assertThat(Incident.of(incident).orElseThrow().raised()).isTrue();
        }
        RulesConfig never =
                RulesConfigLoader.fromYaml("incident: {raise: {exposure: []}}", "never.yaml");
        try (var h = harness(never, false)) {
            arrive(
                    h,
                    finding(
                            RuleCatalog.REPOSITORY_EXPOSED,
                            Severity.HIGH,
                            "mallory",
                            "a",
                            "198.51.100.23",
                            0));
            arrive(
                    h,
                    finding(
                            RuleCatalog.POLICY_DELETED,
                            Severity.MEDIUM,
                            "mallory",
                            "a",
                            "198.51.100.23",
                            1));
            assertThat(incidents(h.extractOutputValues()).get(0).severity())
                    .isEqualTo(Severity.HIGH);
        }
    }

    @Test
    void inEventTimeOrderAnyArrivalOrderGivesTheSameOutput() throws Exception {
        List<Finding> findings = new ArrayList<>();
        String[] rules = {
            RuleCatalog.LAYER_DOWNLOAD,
            RuleCatalog.FIRST_SEEN_PULLER,
            RuleCatalog.UNTRUSTED_NETWORK,
            RuleCatalog.POLICY_DELETED
        };
        for (int i = 0; i < 12; i++) {
            findings.add(
                    finding(
                            rules[i % 4],
                            i % 4 == 2 ? Severity.HIGH : Severity.LOW,
                            "mallory",
                            "r" + (i % 3),
                            "198.51.100.23",
                            i / 2));
        }
        String first = null;
        for (int seed = 0; seed < 5; seed++) {
            List<Finding> shuffled = new ArrayList<>(findings);
            Collections.shuffle(shuffled, new Random(seed));
            try (var h = harness(CONFIG, true)) {
                shuffled.forEach(f -> arrive(h, f));
                assertThat(h.extractOutputValues()).as("held until the watermark").isEmpty();
                h.processWatermark(new Watermark(T.toEpochMilli() + 3_600_000));
                String out = Json.write(h.extractOutputValues());
                assertThat(incidents(h.extractOutputValues())).isNotEmpty();
                if (first == null) {
                    first = out;
                }
                assertThat(out).isEqualTo(first);
            }
        }
    }

    @Test
    void anIncidentListsAtMostItsMemberCapButCountsEverything() throws Exception {
        try (var h = harness(CONFIG, false)) {
            arrive(
                    h,
                    finding(
                            RuleCatalog.UNTRUSTED_NETWORK,
                            Severity.HIGH,
                            "mallory",
                            "a",
                            "198.51.100.23",
                            0));
            for (int i = 0; i < 150; i++) {
                arrive(
                        h,
                        finding(
                                RuleCatalog.LAYER_DOWNLOAD,
                                Severity.LOW,
                                "mallory",
                                "a",
                                "198.51.100.23",
                                1 + i));
            }
            List<Finding> versions = incidents(h.extractOutputValues());
            Finding last = versions.get(versions.size() - 1);
            assertThat(versions.stream().map(Finding::id).distinct()).hasSize(1);
            assertThat(Incident.of(last).orElseThrow().members())
                    .hasSize(AttackSequence.MAX_MEMBERS);
            assertThat(last.eventCount()).isEqualTo(151);
            assertThat(last.eventIds()).hasSizeLessThanOrEqualTo(AttackSequence.MAX_EVENT_IDS);
        }
    }
}
