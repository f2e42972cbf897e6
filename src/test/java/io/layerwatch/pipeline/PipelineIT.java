package io.layerwatch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.config.Severity;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.Incident;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.testing.KeyedRuleFixtures;
import io.layerwatch.testing.MiniClusters;
import io.layerwatch.util.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole pipeline on a MiniCluster over the labeled demo attack story and real benign
 * CloudTrail.
 */
class PipelineIT {

    @RegisterExtension static final MiniClusterExtension CLUSTER = MiniClusters.withSlots(2);

    /** What the scripted story contains (see job/demo/README.md), rule by rule. */
    static final Map<String, Integer> STORY_EXPECTED =
            new TreeMap<>(
                    Map.ofEntries(
                            Map.entry(RuleCatalog.LAYER_DOWNLOAD, 56),
                            Map.entry(RuleCatalog.LAYER_DOWNLOAD_BURST, 1),
                            Map.entry(RuleCatalog.UNTRUSTED_NETWORK, 4),
                            Map.entry(RuleCatalog.CREDENTIAL_NETWORK_HOP, 1),
                            Map.entry(RuleCatalog.REPOSITORY_EXPOSED, 2),
                            Map.entry(RuleCatalog.ENDGAME_IOC, 1),
                            Map.entry(RuleCatalog.POLICY_DELETED, 1),
                            Map.entry(RuleCatalog.VULNERABLE_IMAGE_SCAN, 2),
                            Map.entry(RuleCatalog.POLICY_CHANGE_AFTER_SCAN, 4),
                            Map.entry(RuleCatalog.FIRST_SEEN_PULLER, 3),
                            Map.entry(RuleCatalog.REPLICATION_TO_FOREIGN_ACCOUNT, 1),
                            Map.entry(RuleCatalog.ACCESS_DENIED_BURST, 1),
                            Map.entry(RuleCatalog.REGISTRY_NOT_ASSESSED, 1),
                            Map.entry(RuleCatalog.UNEXPECTED_IMAGE_PUSH, 2),
                            Map.entry(RuleCatalog.IMAGE_TAG_OVERWRITE, 1),
                            Map.entry(RuleCatalog.REPOSITORY_ENUMERATION, 1),
                            Map.entry(RuleCatalog.PULL_THROUGH_CACHE_UNTRUSTED, 1),
                            Map.entry(RuleCatalog.GUARDRAIL_WEAKENED_THEN_PUSH, 1),
                            Map.entry(RuleCatalog.MASS_DELETION, 1),
                            Map.entry(RuleCatalog.WORKLOAD_CREDENTIALS_OUTSIDE, 1),
                            Map.entry(RuleCatalog.ATTACK_SEQUENCE, 2)));

    static String resource(String name) throws IOException {
        try (InputStream in = PipelineIT.class.getClassLoader().getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static RulesConfig demoRules() throws IOException {
        return RulesConfigLoader.fromYaml(resource("demo/demo-rules.yaml"), "demo-rules.yaml");
    }

    @Test
    void attackStoryFiresEveryRuleWithTheExpectedCounts() throws Exception {
        String story = resource("demo/attack-story.jsonl");
        PipelineHarness.Result r =
                PipelineHarness.run(
                        List.of(
                                Payload.ofBytes(
                                        "attack-story.jsonl",
                                        story.getBytes(StandardCharsets.UTF_8))),
                        demoRules(),
                        1);

        assertThat(r.countsByRule()).isEqualTo(STORY_EXPECTED);
        assertThat(r.deadLetters())
                .singleElement()
                .satisfies(d -> assertThat(d.reason()).startsWith("malformed JSON"))
                .satisfies(d -> assertThat(d.payload()).startsWith("this line is not JSON"));
        assertThat(r.job().<Long>getAccumulatorResult(Counters.SCANS_FAILED)).isEqualTo(1L);

        Finding burst = r.of(RuleCatalog.LAYER_DOWNLOAD_BURST).get(0);
        assertThat(burst.principal().arn()).isEqualTo("arn:aws:iam::111122223333:role/developer");
        assertThat(burst.principal().sessionName()).isEqualTo("mallory");
        assertThat((Integer) burst.details().get("distinctLayers")).isGreaterThanOrEqualTo(20);
        assertThat(burst.details().get("repositories").toString())
                .contains("payments-api", "billing-api");

        Finding hop = r.of(RuleCatalog.CREDENTIAL_NETWORK_HOP).get(0);
        assertThat(hop.key()).isEqualTo("ASIADEVELOPER000042");
        assertThat(hop.sourceIp()).isEqualTo("198.51.100.23");

        assertThat(r.of(RuleCatalog.ENDGAME_IOC).get(0).severity()).isEqualTo(Severity.CRITICAL);
        // the builder's push is expected; the leaked key's, from outside without a registry login,
        // is not, and neither is mallory's push right after turning scan-on-push off
        assertThat(r.of(RuleCatalog.UNEXPECTED_IMAGE_PUSH))
                .extracting(f -> f.principal().arn())
                .containsExactlyInAnyOrder(
                        "arn:aws:iam::111122223333:user/svc-legacy-deploy",
                        "arn:aws:iam::111122223333:role/developer");
        assertThat(r.of(RuleCatalog.UNEXPECTED_IMAGE_PUSH))
                .filteredOn(f -> f.principal().arn().endsWith("svc-legacy-deploy"))
                .singleElement()
                .satisfies(
                        f -> {
                            assertThat(f.severity()).isEqualTo(Severity.HIGH);
                            assertThat(f.details().get("reasons").toString())
                                    .contains("198.51.100.23", "AKIASVCLEGACY000001");
                        });
        assertThat(r.of(RuleCatalog.IMAGE_TAG_OVERWRITE))
                .singleElement()
                .satisfies(
                        f ->
                                assertThat(f.details())
                                        .containsEntry("imageTag", "v1.4.2")
                                        .containsEntry(
                                                "previousDigest",
                                                "sha256:4f6b0b6a0c1e9e5a2d3c4b5a69788796a5b4c3d2e1f00112233445566778899a"));
        Finding workload = r.of(RuleCatalog.WORKLOAD_CREDENTIALS_OUTSIDE).get(0);
        assertThat(workload.key()).isEqualTo("ASIATHUMBNAILER00007");
        assertThat(workload.details())
                .containsEntry("workloadSourceIp", "52.95.110.17")
                .containsEntry("outsideSourceIp", "203.0.113.77");
        assertThat(r.of(RuleCatalog.FIRST_SEEN_PULLER))
                .extracting(f -> f.principal().arn())
                .containsExactlyInAnyOrder(
                        "arn:aws:iam::111122223333:role/developer",
                        "arn:aws:iam::111122223333:role/developer",
                        "arn:aws:iam::999988887777:user/evil");
        // One attack, one incident: mallory's findings of many rules, repeats folded (a few
        // untrusted-network findings, one per repository and address, not one per call); the
        // foreign user's pulls are another.
        assertThat(r.of(RuleCatalog.UNTRUSTED_NETWORK)).hasSizeBetween(1, 5);
        assertThat(r.of(RuleCatalog.UNTRUSTED_NETWORK))
                .filteredOn(f -> "mallory".equals(f.principal().sessionName()))
                .allSatisfy(f -> assertThat(f.eventCount()).isGreaterThan(1));
        assertThat(r.of(RuleCatalog.ATTACK_SEQUENCE))
                .filteredOn(f -> "mallory".equals(f.principal().sessionName()))
                .singleElement()
                .satisfies(
                        i -> {
                            Incident incident = Incident.of(i).orElseThrow();
                            assertThat(incident.rules())
                                    .hasSizeGreaterThanOrEqualTo(5)
                                    .contains(
                                            RuleCatalog.UNTRUSTED_NETWORK,
                                            RuleCatalog.CREDENTIAL_NETWORK_HOP,
                                            RuleCatalog.REPOSITORY_EXPOSED,
                                            RuleCatalog.ENDGAME_IOC,
                                            RuleCatalog.POLICY_CHANGE_AFTER_SCAN,
                                            RuleCatalog.REPLICATION_TO_FOREIGN_ACCOUNT,
                                            RuleCatalog.POLICY_DELETED);
                            assertThat(i.severity()).isEqualTo(Severity.CRITICAL);
                            assertThat(incident.tactics())
                                    .contains("TA0010 Exfiltration", "TA0040 Impact");
                            assertThat(incident.sourceIps()).contains("198.51.100.23");
                            assertThat(i.description())
                                    .contains(
                                            "from an untrusted network, 198.51.100.23",
                                            "opened the policy of payments-api to outsiders",
                                            "left Endgame marks on payments-api");
                            for (String member : incident.memberIds()) {
                                assertThat(r.latest().get(member).incidentId())
                                        .as(member)
                                        .isEqualTo(i.id());
                            }
                            assertThat(r.latest().values())
                                    .filteredOn(f -> i.id().equals(f.incidentId()))
                                    .hasSize(incident.members().size());
                        });
        assertThat(r.of(RuleCatalog.ATTACK_SEQUENCE))
                .extracting(f -> f.principal().arn())
                .containsExactlyInAnyOrder(
                        "arn:aws:iam::111122223333:role/developer",
                        "arn:aws:iam::999988887777:user/evil");
        // The allowlisted CI role pulled 40 layers: no burst, no download findings.
        assertThat(r.latest().values())
                .noneMatch(f -> f.principal().arn().endsWith("role/ci-deployer"));
        // Every finding carries its evidence.
        assertThat(r.latest().values())
                .allSatisfy(
                        f -> {
                            assertThat(f.eventIds()).isNotEmpty();
                            assertThat(f.evidence()).isNotEmpty();
                            assertThat(f.firstEventTime()).isBeforeOrEqualTo(f.lastEventTime());
                        });
    }

    @Test
    void reorderingWithinTheLatenessBoundAndParallelismGiveTheSameFindingIds() throws Exception {
        String story = resource("demo/attack-story.jsonl");
        PipelineHarness.Result ordered =
                PipelineHarness.run(
                        List.of(Payload.ofBytes("story", story.getBytes(StandardCharsets.UTF_8))),
                        demoRules(),
                        1);

        // Shuffle records inside 10-minute buckets (less than the 15 minute bound) and split over 3
        // payloads.
        Map<Long, List<String>> buckets = new TreeMap<>();
        for (String line : story.split("\n")) {
            var node = Json.tree(line);
            String time =
                    node == null
                            ? null
                            : node.has("eventTime")
                                    ? node.get("eventTime").asText()
                                    : node.path("time").asText(null);
            long bucket =
                    time == null ? Long.MAX_VALUE : Instant.parse(time).toEpochMilli() / 600_000L;
            buckets.computeIfAbsent(bucket, k -> new ArrayList<>()).add(line);
        }
        Random random = new Random(42);
        List<String> shuffled = new ArrayList<>();
        buckets.values()
                .forEach(
                        b -> {
                            Collections.shuffle(b, random);
                            shuffled.addAll(b);
                        });
        List<Payload> payloads = new ArrayList<>();
        int third = shuffled.size() / 3 + 1;
        for (int i = 0; i < shuffled.size(); i += third) {
            String chunk =
                    String.join("\n", shuffled.subList(i, Math.min(shuffled.size(), i + third)));
            payloads.add(Payload.ofBytes("chunk" + i, chunk.getBytes(StandardCharsets.UTF_8)));
        }
        PipelineHarness.Result reordered = PipelineHarness.run(payloads, demoRules(), 2);

        assertThat(reordered.late()).isEmpty();
        assertThat(reordered.latest().keySet())
                .containsExactlyInAnyOrderElementsOf(ordered.latest().keySet());
        assertThat(reordered.countsByRule()).isEqualTo(STORY_EXPECTED);
        // The same incidents with the same members, whatever the order and parallelism.
        assertThat(reordered.of(RuleCatalog.ATTACK_SEQUENCE))
                .isNotEmpty()
                .allSatisfy(
                        i ->
                                assertThat(Incident.of(i).orElseThrow().memberIds())
                                        .isEqualTo(
                                                Incident.of(ordered.latest().get(i.id()))
                                                        .orElseThrow()
                                                        .memberIds()));
    }

    @Test
    void realBenignCloudTrailStaysQuiet() throws Exception {
        List<Payload> payloads = new ArrayList<>();
        for (String name : resource("demo/index.txt").split("\n")) {
            if (name.startsWith("benign/")) {
                try (InputStream in =
                        getClass().getClassLoader().getResourceAsStream("demo/" + name)) {
                    payloads.add(Payload.ofBytes(name, in.readAllBytes()));
                }
            }
        }
        assertThat(payloads).hasSize(55);
        PipelineHarness.Result r = PipelineHarness.run(payloads, RulesConfigLoader.builtIn(), 2);

        assertThat(r.job().<Long>getAccumulatorResult(Counters.EVENTS_READ)).isEqualTo(2900L);
        assertThat(r.deadLetters()).isEmpty();
        assertThat(r.latest().values()).noneMatch(f -> f.severity().atLeast(Severity.HIGH));
        assertThat(r.latest()).isEmpty();
    }

    @Test
    void burstEpisodesFoldIntoOneFindingUntilAQuietGap() throws Exception {
        RulesConfig config =
                RulesConfigLoader.fromYaml(
                        "rules:\n  layer-download-burst: {minDistinctLayers: 20, window: 10m}\n",
                        "burst.yaml");
        List<String> records = new ArrayList<>();
        Instant t0 = CloudTrailRecords.TIME;
        for (int i = 0;
                i < 45;
                i++) { // one episode: 45 distinct layers in 4.5 minutes -> 2 matches, 1 finding
            records.add(download(t0.plusSeconds(i * 6), "sha256:a" + i));
        }
        Instant t1 = t0.plus(Duration.ofMinutes(40)); // after a quiet gap of more than one window
        for (int i = 0; i < 20; i++) {
            records.add(download(t1.plusSeconds(i * 6), "sha256:b" + i));
        }
        PipelineHarness.Result r =
                PipelineHarness.run(
                        List.of(
                                Payload.ofBytes(
                                        "burst",
                                        String.join("\n", records)
                                                .getBytes(StandardCharsets.UTF_8))),
                        config,
                        1);

        List<Finding> bursts = r.of(RuleCatalog.LAYER_DOWNLOAD_BURST);
        assertThat(bursts).hasSize(2);
        Finding first =
                bursts.stream()
                        .filter(f -> f.firstEventTime().equals(t0))
                        .findFirst()
                        .orElseThrow();
        assertThat(first.eventCount()).isEqualTo(40);
        assertThat(first.details().get("distinctLayers")).isEqualTo(40);
        // The episode was emitted twice (opened, then updated) under one id.
        assertThat(r.emitted().stream().filter(f -> f.id().equals(first.id())).count())
                .isEqualTo(2);
        assertThat(bursts.stream().filter(f -> f != first).findFirst().orElseThrow().eventCount())
                .isEqualTo(20);
    }

    @Test
    void lateEventsAreCountedYetJudgedBySingleEventRules() throws Exception {
        Instant t = CloudTrailRecords.TIME;
        String records =
                download(t.plus(Duration.ofHours(2)), "sha256:new")
                        + "\n"
                        + download(t, "sha256:old");
        PipelineHarness.Result r =
                PipelineHarness.run(
                        List.of(Payload.ofBytes("late", records.getBytes(StandardCharsets.UTF_8))),
                        RulesConfigLoader.builtIn(),
                        1);

        assertThat(r.late()).extracting(e -> e.layerDigest()).containsExactly("sha256:old");
        assertThat(r.job().<Long>getAccumulatorResult(Counters.LATE)).isEqualTo(1L);
        assertThat(r.of(RuleCatalog.LAYER_DOWNLOAD))
                .extracting(f -> f.details().get("layerDigest"))
                .containsExactlyInAnyOrder("sha256:new", "sha256:old");
    }

    @Test
    void keyedPatternsFollowEventTimeDuringTheReplayAsInStreaming() throws Exception {
        // A hop (trusted, then untrusted 20 minutes later) whose second call arrives after two
        // hours of other calls: the watermark has passed it, so it is late. The keyed pattern
        // operators follow the watermark as the replay goes (their buffers drain, they are not held
        // until the end of the input) and drop it, as CEP does in streaming; the single-event rules
        // still judge it.
        Instant t = CloudTrailRecords.TIME;
        String trusted =
                CloudTrailRecords.record("BatchGetImage")
                        .assumedRole(CloudTrailRecords.ACCOUNT, "dev", "s")
                        .time(t)
                        .sourceIp("10.1.1.1")
                        .repositoryName("app")
                        .json();
        String untrusted =
                CloudTrailRecords.record("BatchGetImage")
                        .assumedRole(CloudTrailRecords.ACCOUNT, "dev", "s")
                        .time(t.plus(Duration.ofMinutes(20)))
                        .sourceIp("198.51.100.9")
                        .repositoryName("app")
                        .json();
        // One call per payload. Many before the late one: the rule operators have long had the
        // static rules input's idle status (sent when its operator opens) when it comes. Many after
        // it: more than the network buffers hold, so the payload source has not finished (which
        // would end that input's event time without the idle status) when it comes either.
        List<Payload> late = new ArrayList<>();
        late.add(Payload.ofBytes("trusted", trusted.getBytes(StandardCharsets.UTF_8)));
        for (int i = 1;
                i <= 5000;
                i++) { // 2.4 seconds apart: two hours, then the late call, then more
            if (i == 3001) {
                late.add(Payload.ofBytes("untrusted", untrusted.getBytes(StandardCharsets.UTF_8)));
            }
            String other =
                    CloudTrailRecords.record("BatchGetImage")
                            .assumedRole(CloudTrailRecords.ACCOUNT, "ops" + i % 50, "o")
                            .time(t.plusMillis(i * 2400L))
                            .sourceIp("10.1.1.2")
                            .repositoryName("app")
                            .json();
            late.add(Payload.ofBytes("other", other.getBytes(StandardCharsets.UTF_8)));
        }
        PipelineHarness.Result r = PipelineHarness.run(late, KeyedRuleFixtures.NETWORKS, 1);

        assertThat(r.late()).extracting(e -> e.sourceIp()).containsExactly("198.51.100.9");
        assertThat(r.of(RuleCatalog.CREDENTIAL_NETWORK_HOP)).isEmpty();
        assertThat(r.of(RuleCatalog.UNTRUSTED_NETWORK))
                .extracting(Finding::sourceIp)
                .containsExactly("198.51.100.9");

        // In order, the same calls are a hop.
        List<Payload> inOrder = new ArrayList<>(late);
        inOrder.add(1, inOrder.remove(3001));
        assertThat(
                        PipelineHarness.run(inOrder, KeyedRuleFixtures.NETWORKS, 1)
                                .of(RuleCatalog.CREDENTIAL_NETWORK_HOP))
                .hasSize(1);
    }

    private static String download(Instant time, String digest) {
        return CloudTrailRecords.record("GetDownloadUrlForLayer")
                .assumedRole(CloudTrailRecords.ACCOUNT, "builder", "s1")
                .time(time)
                .requestParameters(
                        CloudTrailRecords.object(
                                "repositoryName",
                                "app",
                                "registryId",
                                CloudTrailRecords.ACCOUNT,
                                "layerDigest",
                                digest))
                .json();
    }
}
