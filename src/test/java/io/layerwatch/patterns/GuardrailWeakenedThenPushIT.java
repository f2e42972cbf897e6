package io.layerwatch.patterns;

import static io.layerwatch.pipeline.PipelineHarness.run;
import static io.layerwatch.testing.CloudTrailRecords.ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.at;
import static io.layerwatch.testing.CloudTrailRecords.object;
import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.config.Severity;
import io.layerwatch.finding.Finding;
import io.layerwatch.testing.MiniClusters;
import java.util.List;
import java.util.Map;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * guardrail-weakened-then-push through the pipeline: which weakenings count, for which pushes, and
 * folding.
 */
@SuppressWarnings("unchecked")
class GuardrailWeakenedThenPushIT {

    @RegisterExtension static final MiniClusterExtension CLUSTER = MiniClusters.withSlots(2);

    static final String RULE = RuleCatalog.GUARDRAIL_WEAKENED_THEN_PUSH;
    static final RulesConfig DEFAULTS = RulesConfigLoader.builtIn();

    static String scanOnPush(boolean on, int minute) {
        return record("PutImageScanningConfiguration")
                .assumedRole(ACCOUNT, "intruder", "x")
                .repositoryName("payments")
                .time(at(minute))
                .param("imageScanningConfiguration", object("scanOnPush", on))
                .json();
    }

    static String mutability(String value, int minute) {
        return record("PutImageTagMutability")
                .assumedRole(ACCOUNT, "intruder", "x")
                .repositoryName("payments")
                .time(at(minute))
                .param("imageTagMutability", value)
                .json();
    }

    static String registryScanning(int minute, Object rules) {
        return record("PutRegistryScanningConfiguration")
                .assumedRole(ACCOUNT, "intruder", "x")
                .time(at(minute))
                .requestParameters(object("scanType", "BASIC", "rules", rules))
                .json();
    }

    static String push(String repo, int minute, String tag) {
        return record("PutImage")
                .assumedRole(ACCOUNT, "ci-build", "gha")
                .repositoryName(repo)
                .time(at(minute))
                .param("imageTag", tag)
                .json();
    }

    static List<Finding> found(RulesConfig c, String... records) throws Exception {
        return run(c, RULE, List.of(records));
    }

    @Test
    void scanOnPushOffThenAPushByAnyoneIsHigh() throws Exception {
        assertThat(found(DEFAULTS, scanOnPush(false, 0), push("payments", 20, "v1.4.2")))
                .singleElement()
                .satisfies(
                        f -> {
                            assertThat(f.severity()).isEqualTo(Severity.HIGH);
                            assertThat(f.principal().arn())
                                    .as("who weakened it")
                                    .isEqualTo("arn:aws:iam::111122223333:role/intruder");
                            assertThat(f.repository().name()).isEqualTo("payments");
                            assertThat(f.details())
                                    .containsEntry("weakening", "PutImageScanningConfiguration")
                                    .containsEntry("weakenedScope", "repository")
                                    .containsEntry("secondsBetween", 1200);
                            assertThat((List<?>) f.details().get("pushes"))
                                    .singleElement()
                                    .satisfies(
                                            p ->
                                                    assertThat((Map<Object, Object>) p)
                                                            .containsEntry(
                                                                    "pushedBy",
                                                                    "arn:aws:iam::111122223333:role/ci-build")
                                                            .containsEntry("imageTag", "v1.4.2"));
                            assertThat(f.eventCount()).isEqualTo(2);
                        });
        // scan-on-push turned on, another repository, past the window, a failed push: nothing
        assertThat(found(DEFAULTS, scanOnPush(true, 0), push("payments", 20, "v1"))).isEmpty();
        assertThat(found(DEFAULTS, scanOnPush(false, 0), push("billing", 20, "v1"))).isEmpty();
        assertThat(found(DEFAULTS, scanOnPush(false, 0), push("payments", 61, "v1"))).isEmpty();
        String failed =
                record("PutImage")
                        .assumedRole(ACCOUNT, "ci-build", "gha")
                        .repositoryName("payments")
                        .time(at(5))
                        .error("ImageTagAlreadyExistsException", "exists")
                        .json();
        assertThat(found(DEFAULTS, scanOnPush(false, 0), failed)).isEmpty();
        // the push before the weakening: nothing
        assertThat(found(DEFAULTS, push("payments", 0, "v1"), scanOnPush(false, 5))).isEmpty();
    }

    @Test
    void tagsMadeMutableCountButImmutableDoesNot() throws Exception {
        assertThat(found(DEFAULTS, mutability("MUTABLE", 0), push("payments", 10, "v2")))
                .singleElement()
                .satisfies(
                        f ->
                                assertThat(f.details())
                                        .containsEntry("guardrail", "tags made mutable (MUTABLE)"));
        assertThat(
                        found(
                                DEFAULTS,
                                mutability("MUTABLE_WITH_EXCLUSION", 0),
                                push("payments", 10, "v2")))
                .hasSize(1);
        assertThat(found(DEFAULTS, mutability("IMMUTABLE", 0), push("payments", 10, "v2")))
                .isEmpty();
    }

    @Test
    void registryScanningCountsForRepositoriesItNoLongerScans() throws Exception {
        Object prodOnPush =
                List.of(
                        Map.of(
                                "scanFrequency",
                                "SCAN_ON_PUSH",
                                "repositoryFilters",
                                List.of(Map.of("filter", "prod-*", "filterType", "WILDCARD"))));
        List<Finding> narrowed =
                found(
                        DEFAULTS,
                        registryScanning(0, prodOnPush),
                        push("prod-api", 10, "v1"),
                        push("dev-tools", 12, "v1"));
        assertThat(narrowed)
                .singleElement()
                .satisfies(
                        f -> {
                            assertThat(f.repository().name()).isEqualTo("dev-tools");
                            assertThat(f.details()).containsEntry("weakenedScope", "registry");
                        });
        // rules removed, or every repository lowered to manual scans: any repository of the
        // registry
        assertThat(
                        found(
                                DEFAULTS,
                                registryScanning(0, List.of()),
                                push("prod-api", 10, "v1"),
                                push("web", 11, "v1")))
                .extracting(f -> f.repository().name())
                .containsExactlyInAnyOrder("prod-api", "web");
        Object manual =
                List.of(
                        Map.of(
                                "scanFrequency",
                                "MANUAL",
                                "repositoryFilters",
                                List.of(Map.of("filter", "*", "filterType", "WILDCARD"))));
        assertThat(found(DEFAULTS, registryScanning(0, manual), push("prod-api", 10, "v1")))
                .hasSize(1);
        // continuous scanning of everything is no weakening
        Object continuous =
                List.of(
                        Map.of(
                                "scanFrequency",
                                "CONTINUOUS_SCAN",
                                "repositoryFilters",
                                List.of(Map.of("filter", "*", "filterType", "WILDCARD"))));
        assertThat(found(DEFAULTS, registryScanning(0, continuous), push("prod-api", 10, "v1")))
                .isEmpty();
    }

    @Test
    void pushesAfterOneWeakeningFoldIntoOneFinding() throws Exception {
        List<Finding> found =
                found(
                        DEFAULTS,
                        scanOnPush(false, 0),
                        push("payments", 5, "v1"),
                        push("payments", 30, "v2"));
        assertThat(found)
                .as("one episode, updated (the harness keeps each id's last version)")
                .singleElement()
                .satisfies(
                        f -> {
                            assertThat(f.eventCount()).isEqualTo(3);
                            assertThat((List<?>) f.details().get("pushes")).hasSize(2);
                        });
    }

    @Test
    void theWeakeningAloneIsLowOnlyWhenAskedFor() throws Exception {
        assertThat(found(DEFAULTS, scanOnPush(false, 0))).isEmpty();
        RulesConfig report =
                RulesConfigLoader.fromYaml(
                        "rules:\n  guardrail-weakened-then-push: {reportWeakening: true}\n",
                        "report.yaml");
        assertThat(found(report, scanOnPush(false, 0)))
                .singleElement()
                .satisfies(
                        f -> {
                            assertThat(f.severity()).isEqualTo(Severity.LOW);
                            assertThat(f.title()).isEqualTo("scan-on-push turned off on payments");
                        });
        // with a push: the LOW weakening and the HIGH pair, apart
        assertThat(found(report, scanOnPush(false, 0), push("payments", 5, "v1")))
                .extracting(Finding::severity)
                .containsExactlyInAnyOrder(Severity.LOW, Severity.HIGH);
        assertThat(found(report, scanOnPush(true, 0))).isEmpty();
    }

    @Test
    void allowlistedPushersAndWeakenersAreLeftOut() throws Exception {
        RulesConfig allow =
                RulesConfigLoader.fromYaml(
                        "rules:\n  guardrail-weakened-then-push:\n"
                                + "    allowlist: {principals: [\"arn:aws:iam::111122223333:role/intruder\"]}\n",
                        "allow.yaml");
        assertThat(found(allow, scanOnPush(false, 0), push("payments", 5, "v1"))).isEmpty();
    }
}
