package io.layerwatch.patterns;

import static io.layerwatch.testing.CloudTrailRecords.ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.TIME;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.pipeline.PipelineHarness;
import io.layerwatch.pipeline.RuleSet;
import io.layerwatch.replay.Replay;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.testing.MiniClusters;
import io.layerwatch.util.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.cep.CEP;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Differential test: for every CEP rule with a {@link MatchLogic}, the {@link PatternMatcher} finds
 * exactly the findings Flink CEP finds with the rule's pattern, on random streams built to stress
 * the corners: many events per key in a window, equal timestamps (ordered by event id, some ids
 * equal), repeated and missing layer digests, out-of-order arrival within and beyond the lateness
 * bound (late events), windows reached exactly.
 */
class PatternMatcherIT {

    @RegisterExtension static final MiniClusterExtension CLUSTER = MiniClusters.withSlots(2);

    static final RulesConfig CONFIG =
            RulesConfigLoader.fromYaml(
                    String.join(
                            "\n",
                            "allowlist:",
                            "  trustedCidrs: [10.0.0.0/8]",
                            "eventTime:",
                            "  maxOutOfOrderness: 5m",
                            "rules:",
                            "  layer-download-burst: {minDistinctLayers: 4, window: 10m}",
                            "  access-denied-burst: {minCount: 3, window: 4m}",
                            "  credential-network-hop: {window: 20m}",
                            "  policy-change-after-scan: {window: 30m}",
                            "  repository-enumeration: {minRepositories: 3, window: 5m}",
                            "  guardrail-weakened-then-push: {window: 30m}",
                            "  mass-deletion: {minImages: 4, minRepositories: 2, window: 10m}",
                            ""),
                    "differential.yaml");

    private static final String[] DIGESTS = {
        "sha256:a", "sha256:b", "sha256:c", "sha256:d", "sha256:e", "sha256:f"
    };

    @Test
    void matchersFindExactlyWhatCepFinds() throws Exception {
        List<EcrEvent> arrival = new ArrayList<>();
        for (int seed = 0; seed < 12; seed++) {
            arrival.addAll(stream(new Random(seed), "r" + seed));
        }
        arrival.addAll(windowEdges(0));
        arrival.addAll(windowEdges(-1));
        arrival.sort(Comparator.comparingLong(PatternMatcherIT::arrivalKey));

        Map<String, Map<String, List<String>>> found = new TreeMap<>();
        run(arrival, found);

        Map<String, List<String>> cep = found.get("cep");
        assertThat(cep.keySet()).hasSize(6);
        for (String variant : List.of("matcher", "sorted", "arrival-ordered")) {
            assertThat(found.get(variant).keySet()).as(variant).isEqualTo(cep.keySet());
        }
        cep.forEach(
                (rule, findings) -> {
                    assertThat(findings).as("CEP findings of %s", rule).hasSizeGreaterThan(20);
                    assertThat(found.get("matcher").get(rule)).as(rule).isEqualTo(findings);
                    assertThat(found.get("sorted").get(rule))
                            .as("%s on the stream EventTimeOrder sorted", rule)
                            .isEqualTo(findings);
                    assertThat(found.get("arrival-ordered").get(rule))
                            .as("%s judged on arrival, in order", rule)
                            .isEqualTo(findings);
                    // Out of order, each of CEP's matches is reported once; besides them, matches
                    // reported before an event that precedes them in event time arrived (the same
                    // events split otherwise: each holds the pattern within its window, and the
                    // episode folder folds them).
                    assertThat(found.get("arrival").get(rule))
                            .as("%s judged on arrival, out of order", rule)
                            .containsAll(findings)
                            .doesNotHaveDuplicates();
                });
    }

    /**
     * The implementations in one job; one output of "ruleId|variant|json": cep, matcher (buffering
     * per key under timers), sorted (the matcher after {@code EventTimeOrder}, keys in place, as a
     * replay at parallelism 1 runs it), arrival (judged on arrival, the stream as it comes) and
     * arrival-ordered (judged on arrival, the stream after EventTimeOrder).
     */
    private static void run(List<EcrEvent> arrival, Map<String, Map<String, List<String>>> variants)
            throws Exception {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(Replay.localConfiguration());
        env.setParallelism(1);
        DataStream<EcrEvent> events =
                PipelineHarness.withBoundedLateness(
                        env.fromData(arrival, TypeInformation.of(EcrEvent.class)),
                        CONFIG.maxOutOfOrderness());
        DataStream<EcrEvent> ordered =
                PipelineHarness.inEventTimeOrder(events, CONFIG.maxOutOfOrderness());
        DataStream<String> out = null;
        for (CepRule rule : RuleSet.cepRules()) {
            if (rule.matchLogic(CONFIG) == null
                    || rule.pattern(CONFIG) == null
                    || !rule.active(CONFIG)) {
                continue;
            }
            String id = rule.id();
            var settings = CONFIG.rule(id);
            KeyedStream<EcrEvent, String> input =
                    events.filter(e -> rule.relevant(e, CONFIG)).keyBy(rule::key, Types.STRING);
            KeyedStream<EcrEvent, String> sorted =
                    ordered.filter(e -> rule.relevant(e, CONFIG)).keyBy(rule::key, Types.STRING);
            DataStream<String> all =
                    CEP.pattern(input, rule.pattern(CONFIG), new ByEventId())
                            .process(new MatchToFinding(rule, settings))
                            .map(f -> id + "|cep|" + Json.write(f))
                            .returns(Types.STRING)
                            .union(
                                    matcher(input, rule, PatternMatcher.Mode.WATERMARK, "matcher"),
                                    matcher(
                                            DataStreamUtils.reinterpretAsKeyedStream(
                                                    ordered.filter(e -> rule.relevant(e, CONFIG)),
                                                    rule::key,
                                                    Types.STRING),
                                            rule,
                                            PatternMatcher.Mode.SORTED,
                                            "sorted"),
                                    matcher(input, rule, PatternMatcher.Mode.ARRIVAL, "arrival"),
                                    matcher(
                                            sorted,
                                            rule,
                                            PatternMatcher.Mode.ARRIVAL,
                                            "arrival-ordered"));
            out = out == null ? all : out.union(all);
        }
        try (CloseableIterator<String> it = out.collectAsync()) {
            env.executeAsync("cep-vs-matcher");
            it.forEachRemaining(
                    line -> {
                        String[] p = line.split("\\|", 3);
                        variants.computeIfAbsent(p[1], k -> new TreeMap<>())
                                .computeIfAbsent(p[0], k -> new ArrayList<>())
                                .add(p[2]);
                    });
        }
        variants.values().forEach(v -> v.values().forEach(l -> l.sort(null)));
    }

    private static DataStream<String> matcher(
            KeyedStream<EcrEvent, String> input,
            CepRule rule,
            PatternMatcher.Mode mode,
            String variant) {
        String id = rule.id();
        return input.process(
                        new PatternMatcher(
                                rule,
                                CONFIG.rule(id),
                                rule.matchLogic(CONFIG),
                                new ByEventId(),
                                mode))
                .map(f -> id + "|" + variant + "|" + Json.write(f))
                .returns(Types.STRING);
    }

    /**
     * Three hours of pulls, downloads and denials by a few sessions of two roles, on a 20-second
     * grid.
     */
    static List<EcrEvent> stream(Random random, String prefix) {
        List<EcrEvent> out = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            String role = prefix + "-role" + random.nextInt(2);
            String session = "s" + random.nextInt(3);
            long second = 20L * random.nextInt(540);
            String ip =
                    random.nextInt(4) == 0
                            ? "198.51.100." + random.nextInt(3)
                            : "10.0.0." + random.nextInt(3);
            String call = random.nextBoolean() ? "GetDownloadUrlForLayer" : "BatchGetImage";
            boolean shared = random.nextInt(20) == 0;
            CloudTrailRecords.Builder b =
                    CloudTrailRecords.record(call)
                            .assumedRole(ACCOUNT, role, session)
                            .time(TIME.plusSeconds(second))
                            .sourceIp(ip)
                            // a few shared ids, each in an account of its own (the same id in one
                            // account is one event): ties the comparator cannot break keep their
                            // order
                            .eventId(
                                    shared
                                            ? "shared-id"
                                            : UUID.nameUUIDFromBytes(
                                                            (prefix + i)
                                                                    .getBytes(
                                                                            StandardCharsets.UTF_8))
                                                    .toString())
                            .recipientAccount(shared ? sharedIdAccount(i) : ACCOUNT)
                            // five repositories, in turn: repository-enumeration's distinct values
                            .requestParameters(
                                    CloudTrailRecords.object(
                                            "repositoryName",
                                            "app" + i % 5,
                                            "registryId",
                                            ACCOUNT));
            if (random.nextInt(8) != 0) {
                b.param("layerDigest", DIGESTS[random.nextInt(DIGESTS.length)]);
            }
            if (random.nextInt(5) == 0) {
                b.error(random.nextBoolean() ? "AccessDenied" : "AccessDeniedException", "denied");
            }
            out.add(b.event());
        }
        for (int i = 0; i < 120; i++) {
            long second = 20L * random.nextInt(540);
            String repo = random.nextBoolean() ? "app" : "web";
            boolean shared = random.nextInt(20) == 0;
            String eventId =
                    shared
                            ? "shared-id"
                            : UUID.nameUUIDFromBytes(
                                            (prefix + "scan" + i).getBytes(StandardCharsets.UTF_8))
                                    .toString();
            if (random.nextInt(3) == 0 && !shared) { // a scan's account is the registry's
                out.add(
                        CloudTrailRecords.decode(
                                CloudTrailRecords.basicScan(
                                        eventId,
                                        TIME.plusSeconds(second),
                                        repo,
                                        random.nextInt(3))));
            } else {
                String change = CHANGES[random.nextInt(CHANGES.length)];
                out.add(
                        CloudTrailRecords.record(change)
                                .assumedRole(ACCOUNT, prefix + "-admin", "s")
                                .time(TIME.plusSeconds(second))
                                .eventId(eventId)
                                .recipientAccount(shared ? sharedIdAccount(1000 + i) : ACCOUNT)
                                .requestParameters(
                                        change.startsWith("PutRegistry")
                                                ? CloudTrailRecords.object("registryId", ACCOUNT)
                                                : CloudTrailRecords.object(
                                                        "repositoryName",
                                                        repo,
                                                        "registryId",
                                                        ACCOUNT))
                                .event());
            }
        }
        out.addAll(guardrails(random, prefix));
        out.addAll(deletions(random, prefix));
        return out;
    }

    /** An account for the {@code n}th event with the shared id. */
    private static String sharedIdAccount(int n) {
        return String.format("%012d", 900_000_000_000L + n);
    }

    /**
     * Images deleted a few at a time (repeats too), repositories deleted, now and then a lifecycle
     * policy.
     */
    private static List<EcrEvent> deletions(Random random, String prefix) {
        List<EcrEvent> out = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String repo = "repo" + random.nextInt(4);
            int kind = random.nextInt(10);
            CloudTrailRecords.Builder b =
                    CloudTrailRecords.record(
                                    kind < 6
                                            ? "BatchDeleteImage"
                                            : kind < 9 ? "DeleteRepository" : "PutLifecyclePolicy")
                            .assumedRole(ACCOUNT, prefix + "-cleaner" + random.nextInt(2), "s")
                            .repositoryName(repo)
                            .time(TIME.plusSeconds(20L * random.nextInt(540)))
                            .eventId(
                                    UUID.nameUUIDFromBytes(
                                                    (prefix + "delete" + i)
                                                            .getBytes(StandardCharsets.UTF_8))
                                            .toString());
            if (kind < 6) {
                List<Map<String, String>> ids = new ArrayList<>();
                for (int n = 1 + random.nextInt(3); n > 0; n--) {
                    ids.add(Map.of("imageDigest", DIGESTS[random.nextInt(DIGESTS.length)]));
                }
                b.param("imageIds", ids);
            } else if (kind == 9) {
                b.param(
                        "lifecyclePolicyText",
                        "{\"rules\":[{\"rulePriority\":1,\"selection\":{\"tagStatus\":\"any\","
                                + "\"countType\":\"imageCountMoreThan\",\"countNumber\":1},\"action\":{\"type\":\"expire\"}}]}");
            }
            out.add(b.event());
        }
        return out;
    }

    /** Weakened guardrails (repository and registry-wide) and pushes to app and web. */
    private static List<EcrEvent> guardrails(Random random, String prefix) {
        List<EcrEvent> out = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            String repo = random.nextBoolean() ? "app" : "web";
            String name =
                    random.nextInt(3) == 0
                            ? WEAKENINGS[random.nextInt(WEAKENINGS.length)]
                            : "PutImage";
            CloudTrailRecords.Builder b =
                    CloudTrailRecords.record(name)
                            .assumedRole(ACCOUNT, prefix + "-admin", "s")
                            .time(TIME.plusSeconds(20L * random.nextInt(540)));
            boolean shared = random.nextInt(20) == 0;
            b.eventId(
                            shared
                                    ? "shared-id"
                                    : UUID.nameUUIDFromBytes(
                                                    (prefix + "guard" + i)
                                                            .getBytes(StandardCharsets.UTF_8))
                                            .toString())
                    .recipientAccount(shared ? sharedIdAccount(2000 + i) : ACCOUNT);
            switch (name) {
                case "PutRegistryScanningConfiguration" ->
                        b.requestParameters(
                                CloudTrailRecords.object(
                                        "registryId",
                                        ACCOUNT,
                                        "rules",
                                        random.nextBoolean()
                                                ? List.of()
                                                : List.of(
                                                        Map.of(
                                                                "scanFrequency",
                                                                "SCAN_ON_PUSH",
                                                                "repositoryFilters",
                                                                List.of(
                                                                        Map.of(
                                                                                "filter",
                                                                                "web*",
                                                                                "filterType",
                                                                                "WILDCARD"))))));
                case "PutImageTagMutability" ->
                        b.repositoryName(repo).param("imageTagMutability", "MUTABLE");
                case "PutImageScanningConfiguration" ->
                        b.repositoryName(repo)
                                .param(
                                        "imageScanningConfiguration",
                                        CloudTrailRecords.object("scanOnPush", false));
                default -> b.repositoryName(repo).param("imageTag", "v" + i);
            }
            out.add(b.event());
        }
        return out;
    }

    private static final String[] WEAKENINGS = {
        "PutImageTagMutability", "PutImageScanningConfiguration", "PutRegistryScanningConfiguration"
    };

    private static final String[] CHANGES = {
        "SetRepositoryPolicy", "DeleteRepositoryPolicy", "BatchDeleteImage", "PutRegistryPolicy"
    };

    /**
     * Sequences that complete exactly at the window (CEP: too late) or, with {@code offsetSeconds}
     * -1, one second before it (a match): a hop 20 minutes after the trusted call, the fourth
     * distinct layer 10 minutes after the first, the third denial 4 minutes after the first.
     */
    private static List<EcrEvent> windowEdges(int offsetSeconds) {
        String role = "edge" + offsetSeconds;
        List<EcrEvent> out = new ArrayList<>();
        out.add(edge(role, "hop", 0, "10.0.0.1", null, null));
        out.add(edge(role, "hop", 20 * 60 + offsetSeconds, "198.51.100.1", null, null));
        int[] minutes = {0, 1, 2, 10};
        for (int i = 0; i < minutes.length; i++) {
            int at = 7200 + minutes[i] * 60 + (i == 3 ? offsetSeconds : 0);
            out.add(edge(role, "burst", at, "10.0.0.1", DIGESTS[i], null));
        }
        for (int i = 0; i < 3; i++) {
            out.add(
                    edge(
                            role,
                            "denied",
                            3600 + i * 120 + (i == 2 ? offsetSeconds : 0),
                            "10.0.0.1",
                            null,
                            "AccessDenied"));
        }
        return out;
    }

    private static EcrEvent edge(
            String role, String session, int second, String ip, String digest, String error) {
        CloudTrailRecords.Builder b =
                CloudTrailRecords.record(
                                digest != null ? "GetDownloadUrlForLayer" : "BatchGetImage")
                        .assumedRole(ACCOUNT, role, session)
                        .time(TIME.plusSeconds(second))
                        .sourceIp(ip)
                        .requestParameters(
                                CloudTrailRecords.object(
                                        "repositoryName", "app", "registryId", ACCOUNT));
        if (digest != null) {
            b.param("layerDigest", digest);
        }
        if (error != null) {
            b.error(error, "denied");
        }
        return b.event();
    }

    /**
     * Arrival: event time plus up to 6 minutes of delay, more than the 5 minute bound now and then.
     */
    private static long arrivalKey(EcrEvent e) {
        long delay = Math.floorMod(e.eventId().hashCode() * 31L + e.eventTime(), 360_000L);
        return e.eventTime() + delay;
    }
}
