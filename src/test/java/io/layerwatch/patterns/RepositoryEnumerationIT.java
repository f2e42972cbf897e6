package io.layerwatch.patterns;

import static io.layerwatch.patterns.MatcherHarness.arrive;
import static io.layerwatch.patterns.MatcherHarness.matcher;
import static io.layerwatch.testing.CloudTrailRecords.ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.TRUSTED_ACCOUNT;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.config.Severity;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.pipeline.PipelineHarness;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.testing.MiniClusters;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code repository-enumeration} with its defaults: 20 distinct repositories read by a principal
 * within 15 minutes.
 */
class RepositoryEnumerationIT {

    @RegisterExtension static final MiniClusterExtension CLUSTER = MiniClusters.withSlots(1);

    private static final Instant T = Instant.parse("2024-05-01T10:00:00Z");
    private static final RulesConfig DEFAULTS = RulesConfigLoader.builtIn();
    private static final String[] CALLS = {
        "DescribeImages",
        "ListImages",
        "BatchGetImage",
        "GetRepositoryPolicy",
        "DescribeImageScanFindings",
        "GetLifecyclePolicy"
    };

    private final RepositoryEnumeration rule = new RepositoryEnumeration();

    /** A read of {@code repo} in {@code registry} by the role recon, {@code second}s after T. */
    private static CloudTrailRecords.Builder read(
            String call, int second, String registry, String repo) {
        return CloudTrailRecords.record(call)
                .assumedRole(ACCOUNT, "recon", "s1")
                .time(T.plusSeconds(second))
                .sourceIp("198.51.100.7")
                .requestParameters(
                        CloudTrailRecords.object("repositoryName", repo, "registryId", registry));
    }

    private static EcrEvent read(int i, String repo) {
        return read(CALLS[i % CALLS.length], i * 20, ACCOUNT, repo).event();
    }

    @Test
    void theTwentiethDistinctRepositoryWithinTheWindowIsReportedFreeingTheState() throws Exception {
        try (var h = matcher(rule, DEFAULTS, PatternMatcher.Mode.ARRIVAL)) {
            h.processWatermark(new Watermark(T.toEpochMilli() - 3_600_000));
            for (int i = 0; i < 19; i++) {
                arrive(h, read(i, "team/app-" + i));
                arrive(h, read(i, "team/app-" + i)); // a repository read twice counts once
            }
            assertThat(h.extractOutputValues()).as("19 distinct repositories").isEmpty();
            arrive(h, read(19, "team/app-19"));
            Finding f = h.extractOutputValues().get(0);
            assertThat(f.ruleId()).isEqualTo(RuleCatalog.REPOSITORY_ENUMERATION);
            assertThat(f.severity()).isEqualTo(Severity.MEDIUM);
            assertThat(f.key()).isEqualTo("arn:aws:iam::" + ACCOUNT + ":role/recon");
            assertThat(f.details()).containsEntry("distinctRepositories", 20);
            assertThat(strings(f, "repositories"))
                    .hasSize(20)
                    .contains(
                            ACCOUNT + ":us-east-1:team/app-0", ACCOUNT + ":us-east-1:team/app-19");
            assertThat(strings(f, "calls")).containsExactlyInAnyOrder(CALLS);
            assertThat(f.details().get("sourceIps")).isEqualTo(List.of("198.51.100.7"));
            assertThat(f.title()).contains("recon", "20 repositories");

            h.processWatermark(new Watermark(T.toEpochMilli() + 3_600_000));
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void readsSpreadWiderThanTheWindowAreNot() throws Exception {
        try (var h = matcher(rule, DEFAULTS, PatternMatcher.Mode.ARRIVAL)) {
            h.processWatermark(new Watermark(T.toEpochMilli() - 3_600_000));
            for (int i = 0; i < 30; i++) { // one a minute: at most 16 in any 15 minutes
                arrive(h, read(CALLS[0], i * 60, ACCOUNT, "team/app-" + i).event());
            }
            assertThat(h.extractOutputValues()).isEmpty();
        }
    }

    @Test
    void theSameNameInAnotherRegistryIsAnotherRepository() throws Exception {
        try (var h = matcher(rule, DEFAULTS, PatternMatcher.Mode.ARRIVAL)) {
            h.processWatermark(new Watermark(T.toEpochMilli() - 3_600_000));
            for (int i = 0; i < 10; i++) {
                arrive(h, read(CALLS[i % CALLS.length], i * 10, ACCOUNT, "app-" + i).event());
                arrive(
                        h,
                        read(CALLS[i % CALLS.length], i * 10 + 5, TRUSTED_ACCOUNT, "app-" + i)
                                .event());
            }
            assertThat(h.extractOutputValues())
                    .singleElement()
                    .satisfies(
                            f ->
                                    assertThat(f.details())
                                            .containsEntry("distinctRepositories", 20)
                                            .containsEntry(
                                                    "registries",
                                                    List.of(
                                                            ACCOUNT + ":us-east-1",
                                                            TRUSTED_ACCOUNT + ":us-east-1")));
        }
    }

    @Test
    void onlySuccessfulRepositoryReadsByCallersCount() {
        assertThat(rule.relevant(read(CALLS[0], 0, ACCOUNT, "a").event(), DEFAULTS)).isTrue();
        assertThat(
                        rule.relevant(
                                read(CALLS[0], 0, ACCOUNT, "a")
                                        .errorCode("RepositoryNotFoundException")
                                        .event(),
                                DEFAULTS))
                .as("failed")
                .isFalse();
        assertThat(rule.relevant(read("PutImage", 0, ACCOUNT, "a").event(), DEFAULTS))
                .as("a write")
                .isFalse();
        assertThat(rule.relevant(read("DescribeRepositories", 0, ACCOUNT, "a").event(), DEFAULTS))
                .as("not in the contract's list")
                .isFalse();
        assertThat(rule.relevant(CloudTrailRecords.record("DescribeImages").event(), DEFAULTS))
                .as("no repository")
                .isFalse();
        assertThat(
                        rule.relevant(
                                read(CALLS[2], 0, ACCOUNT, "a")
                                        .awsService("replication.ecr.amazonaws.com")
                                        .event(),
                                DEFAULTS))
                .as("an AWS service")
                .isFalse();
    }

    @Test
    void scannersInTheRuleAllowlistAreNotReportedOnThePipeline() throws Exception {
        List<String> records = new ArrayList<>();
        for (int i = 0; i < 40; i++) { // two matches of 20, one episode: folded into one finding
            records.add(read(CALLS[i % CALLS.length], i * 10, ACCOUNT, "team/app-" + i).json());
        }
        RulesConfig scanner =
                RulesConfigLoader.fromYaml(
                        "rules:\n  repository-enumeration:\n    allowlist:\n"
                                + "      principals: [\"arn:aws:iam::"
                                + ACCOUNT
                                + ":role/recon\"]\n",
                        "scanner.yaml");
        assertThat(run(DEFAULTS, records))
                .singleElement()
                .satisfies(f -> assertThat(f.details()).containsEntry("distinctRepositories", 40));
        assertThat(run(scanner, records)).isEmpty();
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Finding f, String detail) {
        return (List<String>) f.details().get(detail);
    }

    private static List<Finding> run(RulesConfig config, List<String> records) throws Exception {
        return PipelineHarness.run(config, RuleCatalog.REPOSITORY_ENUMERATION, records);
    }
}
