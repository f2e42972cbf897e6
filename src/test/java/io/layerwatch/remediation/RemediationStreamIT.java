package io.layerwatch.remediation;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static io.layerwatch.remediation.Fixtures.EXISTING_POLICY;
import static io.layerwatch.remediation.Fixtures.body;
import static io.layerwatch.remediation.Fixtures.ecr;
import static io.layerwatch.remediation.Fixtures.ecrCalls;
import static io.layerwatch.remediation.Fixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.layerwatch.config.RemediationConfig;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.replay.Replay;
import io.layerwatch.sinks.remediation.AuditRecord;
import io.layerwatch.sinks.remediation.RemediationSettings;
import io.layerwatch.sinks.remediation.RemediationStream;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.testing.FakeAws;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The responder in a Flink job on the MiniCluster (no Kryo): findings and custom-action events in,
 * audit records and remediation-failed findings out, with the real SDK against WireMock.
 */
class RemediationStreamIT {

    @RegisterExtension static final FakeAws AWS = new FakeAws();

    /** The audit records of the one job run for all the tests below. */
    static List<AuditRecord> audit = new ArrayList<>();

    /** Its remediation-failed findings. */
    static List<Finding> failures = new ArrayList<>();

    /** The SetRepositoryPolicy calls it made (WireMock's journal is reset before each test). */
    static List<LoggedRequest> setPolicyCalls;

    static List<String> deadLetters;

    static final Finding PAYMENTS = Fixtures.vulnerable("payments-api", "s-1");

    /**
     * Runs the responder once: payments-api's finding three times, an exposed repository, a
     * broken-api whose SetRepositoryPolicy always fails, and the analyst's clicks.
     */
    @BeforeAll
    static void runTheResponder(@TempDir Path dir) throws Exception {
        RemediationSettings settings =
                Fixtures.settings(
                        AWS,
                        dir,
                        """
                rateLimit: {perHour: 10, perAccountPerHour: 10}
                rules:
                  vulnerable-image-scan: {actions: [quarantine-repository]}
                  repository-exposed: {actions: [remove-exposing-statements]}
                customActions:
                  LWQuarantine: quarantine-repository
                actions:
                  quarantine-repository: {dryRun: false}
                """);
        Fixtures.repositoryPolicy(AWS.server(), EXISTING_POLICY);
        AWS.server()
                .stubFor(
                        ecr("SetRepositoryPolicy")
                                .withRequestBody(containing("\"repositoryName\":\"broken-api\""))
                                .atPriority(1)
                                .willReturn(
                                        json(
                                                500,
                                                "{\"__type\":\"ServerException\",\"message\":\"boom\"}")));

        List<Finding> findings =
                List.of(
                        PAYMENTS,
                        Fixtures.exposed("s-2"),
                        PAYMENTS,
                        Fixtures.vulnerable("broken-api", "s-3"),
                        PAYMENTS);
        List<EcrEvent> clicks;
        try (InputStream in =
                RemediationStreamIT.class
                        .getClassLoader()
                        .getResourceAsStream("remediation/securityhub-custom-action.json")) {
            clicks =
                    CloudTrailRecords.decodeAll(
                            new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }

        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(Replay.localConfiguration());
        env.setParallelism(2);
        RemediationStream.Outputs out =
                RemediationStream.attach(env.fromData(findings), env.fromData(clicks), settings);
        try (CloseableIterator<AuditRecord> a = out.audit().collectAsync();
                CloseableIterator<Finding> f = out.failures().collectAsync()) {
            env.execute("remediation-test");
            a.forEachRemaining(audit::add);
            f.forEachRemaining(failures::add);
        }
        setPolicyCalls = ecrCalls(AWS.server(), "SetRepositoryPolicy");
        deadLetters = Files.readAllLines(dir.resolve("dead-letter.jsonl"));
    }

    static long setPolicyCallsFor(String repository) {
        return setPolicyCalls.stream()
                .filter(r -> body(r).path("repositoryName").asText().equals(repository))
                .count();
    }

    @Test
    void eachRequestedActionIsAuditedWithItsResult() {
        Map<String, List<String>> byTarget =
                audit.stream()
                        .collect(
                                Collectors.groupingBy(
                                        r ->
                                                r.action()
                                                        + " "
                                                        + (r.target() == null
                                                                ? "-"
                                                                : r.target()
                                                                        .replaceAll(
                                                                                ".*repository/",
                                                                                "")),
                                        Collectors.mapping(
                                                AuditRecord::result, Collectors.toList())));
        assertThat(byTarget)
                .containsOnly(
                        Map.entry(
                                "quarantine-repository payments-api",
                                List.of(AuditRecord.RESULT_EXECUTED, AuditRecord.RESULT_EXECUTED)),
                        Map.entry(
                                "remove-exposing-statements payments-api",
                                List.of(AuditRecord.RESULT_DRY_RUN)),
                        Map.entry(
                                "quarantine-repository broken-api",
                                List.of(AuditRecord.RESULT_FAILED)),
                        Map.entry(
                                "quarantine-repository orders-api",
                                List.of(AuditRecord.RESULT_EXECUTED)),
                        Map.entry(
                                "quarantine-repository -",
                                List.of(AuditRecord.RESULT_NOT_APPLICABLE)));
    }

    @Test
    void aRepeatedFindingActsOnceWhileAClickIsARequestOfItsOwn() {
        // payments-api: the rule's finding (three times in the stream) acts once; the analyst's
        // click on another finding of that repository is a request of its own (WireMock's policy
        // never changes).
        assertThat(audit.stream().filter(r -> r.findingId().equals(PAYMENTS.id()))).hasSize(1);
        assertThat(setPolicyCallsFor("payments-api")).isEqualTo(2);
    }

    @Test
    void aClickOnAFindingOfNoEcrResourceIsNotApplicable() {
        assertThat(
                        audit.stream()
                                .filter(
                                        r ->
                                                "quarantine-repository -".equals(r.action() + " -")
                                                        && r.target() == null))
                .singleElement()
                .satisfies(r -> assertThat(r.error()).isEqualTo("not a LayerWatch or ECR finding"));
    }

    @Test
    void aFailingActionIsRetriedThenDeadLetteredWithAFailureFinding() {
        assertThat(setPolicyCallsFor("broken-api")).isEqualTo(3);
        assertThat(failures)
                .singleElement()
                .satisfies(
                        f -> {
                            assertThat(f.ruleId()).isEqualTo(RemediationConfig.FAILED_RULE_ID);
                            assertThat(f.repository().name()).isEqualTo("broken-api");
                        });
        assertThat(deadLetters)
                .singleElement()
                .satisfies(
                        l ->
                                assertThat(l)
                                        .contains(
                                                "\"sink\":\"remediation:quarantine-repository\""));
    }
}
