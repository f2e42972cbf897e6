package io.layerwatch.remediation;

import static io.layerwatch.remediation.Fixtures.EXISTING_POLICY;
import static io.layerwatch.remediation.Fixtures.ecr;
import static io.layerwatch.remediation.Fixtures.ecrCalls;
import static io.layerwatch.remediation.Fixtures.json;
import static io.layerwatch.testing.CloudTrailRecords.ACCOUNT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.layerwatch.config.RemediationConfig;
import io.layerwatch.config.Severity;
import io.layerwatch.finding.Finding;
import io.layerwatch.sinks.remediation.AuditLog;
import io.layerwatch.sinks.remediation.AuditRecord;
import io.layerwatch.sinks.remediation.RemediationBatch;
import io.layerwatch.sinks.remediation.RemediationSettings;
import io.layerwatch.testing.FakeAws;
import io.layerwatch.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guardrails: dry run by default, protection, rate limits, idempotency, failures retried and
 * dead-lettered.
 */
class RemediationGuardrailsIT {

    @RegisterExtension static final FakeAws AWS = new FakeAws();

    @TempDir Path dir;

    final List<Long> sleeps = new ArrayList<>();

    WireMockServer wm() {
        return AWS.server();
    }

    record Run(List<AuditRecord> records, int failed, List<Finding> failures) {
        AuditRecord only() {
            assertThat(records).hasSize(1);
            return records.get(0);
        }

        List<String> results() {
            return records.stream().map(AuditRecord::result).toList();
        }
    }

    Run apply(RemediationSettings s, String action, boolean execute, Finding... findings)
            throws Exception {
        List<AuditRecord> out = new ArrayList<>();
        try (RemediationBatch b =
                new RemediationBatch(
                        s, new AuditLog(dir.resolve("audit.jsonl")), "cli:test", sleeps::add)) {
            int failed = b.apply(List.of(findings), action, execute, out::add);
            return new Run(out, failed, b.failures());
        }
    }

    /** Every action mapped, execution asked for, each action's dryRun left at its default. */
    RemediationSettings mappedWithDefaultDryRun() {
        return Fixtures.settings(
                AWS,
                dir,
                """
                rateLimit: {perAccountPerHour: 10}
                rules:
                  repository-exposed: {actions: [remove-exposing-statements, quarantine-repository]}
                  layer-download: {actions: [deny-layer-download, revoke-sessions]}
                  registry-not-assessed: {actions: [register-registry]}
                """);
    }

    @Test
    void anActionLeftAtItsDefaultOnlyDryRuns() throws Exception {
        // Mapped, asked to execute, but the action's dryRun is left at its default (true).
        Run run =
                apply(
                        mappedWithDefaultDryRun(),
                        null,
                        true,
                        Fixtures.exposed("e-1"),
                        Fixtures.download(ACCOUNT, "developer", "d-1"));
        assertThat(run.results()).containsOnly(AuditRecord.RESULT_DRY_RUN).hasSize(4);
        assertThat(run.records())
                .allSatisfy(
                        r -> {
                            assertThat(r.mode()).isEqualTo(AuditRecord.DRY_RUN);
                            assertThat(r.attempts()).isZero();
                            assertThat(r.change()).as("what it would do").isNotNull();
                        });
        assertThat(wm().getAllServeEvents()).as("no request at all, not even reads").isEmpty();
        assertThat(Files.readAllLines(dir.resolve("audit.jsonl"))).hasSize(4);
    }

    @Test
    void anEnabledActionRunWithoutExecuteIsADryRun() throws Exception {
        RemediationSettings s = mappedWithDefaultDryRun();
        RemediationSettings enabled =
                s.withConfig(s.config().withDryRun("quarantine-repository", false));
        Run notAsked =
                apply(
                        enabled,
                        "quarantine-repository",
                        false,
                        Fixtures.vulnerable("payments-api", "v-1"));
        assertThat(notAsked.only().result()).isEqualTo(AuditRecord.RESULT_DRY_RUN);
        assertThat(notAsked.only().error()).isEqualTo("not asked to execute");
        assertThat(wm().getAllServeEvents()).isEmpty();
    }

    @Test
    void protectedPrincipalsAndRepositoriesAreNeverTouched() throws Exception {
        RemediationSettings s =
                Fixtures.settings(
                        AWS,
                        dir,
                        """
                protected:
                  principals: ["arn:aws:iam::*:role/dev*"]
                  repositories: ["payments-*"]
                actions:
                  deny-layer-download: {dryRun: false}
                  revoke-sessions: {dryRun: false}
                  quarantine-repository: {dryRun: false}
                """);
        Run run =
                apply(
                        s,
                        "revoke-sessions",
                        true,
                        Fixtures.download(ACCOUNT, "developer", "p-1"),
                        Fixtures.download(ACCOUNT, "OrganizationAccountAccessRole", "p-2"));
        assertThat(run.results())
                .containsExactly(AuditRecord.RESULT_PROTECTED, AuditRecord.RESULT_PROTECTED);
        assertThat(run.records().get(1).error()).contains("always protected");
        assertThat(
                        apply(
                                        s,
                                        "quarantine-repository",
                                        true,
                                        Fixtures.vulnerable("payments-api", "p-3"))
                                .only()
                                .result())
                .isEqualTo(AuditRecord.RESULT_PROTECTED);
        assertThat(wm().getAllServeEvents()).isEmpty();
    }

    @Test
    void theRolesTheTemplatesGuardAreRefusedBeforeAnyCall() throws Exception {
        RemediationSettings s =
                Fixtures.settings(
                        AWS,
                        dir,
                        """
                breakGlassPrincipals: ["arn:aws:iam::*:role/BreakGlass"]
                rateLimit: {perAccountPerHour: 20}
                actions:
                  deny-layer-download: {dryRun: false}
                """);
        Run run =
                apply(
                        s,
                        "deny-layer-download",
                        true,
                        Fixtures.download(ACCOUNT, "AWSControlTowerExecution", "g-1"),
                        Fixtures.download(ACCOUNT, "stacksets-exec-0123456789abcdef", "g-2"),
                        Fixtures.download(
                                ACCOUNT,
                                "aws-reserved/sso.amazonaws.com/AWSReservedSSO_Ops_0123",
                                "g-3"),
                        Fixtures.download(ACCOUNT, "BreakGlass", "g-4"),
                        Fixtures.download(ACCOUNT, "LayerWatchRevokeSessions", "g-5"));
        assertThat(run.results()).containsOnly(AuditRecord.RESULT_PROTECTED).hasSize(5);
        assertThat(run.records()).allSatisfy(r -> assertThat(r.error()).contains("is protected"));
        assertThat(wm().getAllServeEvents()).isEmpty();
    }

    @Test
    void overTheRateLimitNothingHappensAndTheRecordSaysSo() throws Exception {
        RemediationSettings s =
                Fixtures.settings(
                        AWS,
                        dir,
                        """
                rateLimit: {perHour: 2, perAccountPerHour: 5}
                actions:
                  quarantine-repository: {dryRun: false}
                """);
        Fixtures.repositoryPolicy(wm(), EXISTING_POLICY);
        Run run =
                apply(
                        s,
                        "quarantine-repository",
                        true,
                        Fixtures.vulnerable("payments-api", "r-1"),
                        Fixtures.vulnerable("orders-api", "r-2"),
                        Fixtures.vulnerable("users-api", "r-3"));
        assertThat(run.results())
                .containsExactly(
                        AuditRecord.RESULT_EXECUTED,
                        AuditRecord.RESULT_EXECUTED,
                        AuditRecord.RESULT_RATE_LIMITED);
        assertThat(run.records().get(2).error())
                .startsWith("global limit of 2 actions per hour reached");
        assertThat(run.records().get(2).attempts()).isZero();
        assertThat(ecrCalls(wm(), "SetRepositoryPolicy")).hasSize(2);

        // The audit log carries the hour over to the next run: still limited.
        Run later =
                apply(s, "quarantine-repository", true, Fixtures.vulnerable("users-api", "r-3"));
        assertThat(later.only().result()).isEqualTo(AuditRecord.RESULT_RATE_LIMITED);

        // Per account.
        Path other = Files.createDirectories(dir.resolve("other"));
        RemediationSettings perAccount =
                Fixtures.settings(
                        AWS,
                        other,
                        """
                rateLimit: {perHour: 10, perAccountPerHour: 1}
                actions:
                  quarantine-repository: {dryRun: false}
                """);
        List<AuditRecord> out = new ArrayList<>();
        try (RemediationBatch b =
                new RemediationBatch(
                        perAccount, new AuditLog(other.resolve("audit.jsonl")), "t", sleeps::add)) {
            b.apply(
                    List.of(Fixtures.vulnerable("a", "q-1"), Fixtures.vulnerable("b", "q-2")),
                    "quarantine-repository",
                    true,
                    out::add);
        }
        assertThat(out)
                .extracting(AuditRecord::result)
                .containsExactly(AuditRecord.RESULT_EXECUTED, AuditRecord.RESULT_RATE_LIMITED);
        assertThat(out.get(1).error())
                .startsWith("limit of 1 actions per hour in account " + ACCOUNT + " reached");
    }

    @Test
    void theSameFindingIsActedOnOnceAcrossRunsAndReplays() throws Exception {
        RemediationSettings s =
                Fixtures.settings(
                        AWS,
                        dir,
                        """
                rules:
                  vulnerable-image-scan: {actions: [quarantine-repository]}
                actions:
                  quarantine-repository: {dryRun: false}
                """);
        Fixtures.repositoryPolicy(wm(), EXISTING_POLICY);
        Finding f = Fixtures.vulnerable("payments-api", "same-1");
        Run first = apply(s, null, true, f, f);
        assertThat(first.results())
                .containsExactly(AuditRecord.RESULT_EXECUTED, AuditRecord.RESULT_ALREADY_DONE);
        Run replay = apply(s, null, true, f);
        assertThat(replay.only().result()).isEqualTo(AuditRecord.RESULT_ALREADY_DONE);
        assertThat(ecrCalls(wm(), "SetRepositoryPolicy")).hasSize(1);
        assertThat(ecrCalls(wm(), "GetRepositoryPolicy")).hasSize(1);
        assertThat(Files.readAllLines(dir.resolve("audit.jsonl")))
                .as("already-done is not logged")
                .hasSize(1);
    }

    @Test
    void aFailingApiIsRetriedThenDeadLetteredAndRaisesAFinding() throws Exception {
        RemediationSettings s =
                Fixtures.settings(AWS, dir, "actions:\n  quarantine-repository: {dryRun: false}\n");
        Fixtures.repositoryPolicy(wm(), EXISTING_POLICY);
        wm().stubFor(
                        ecr("SetRepositoryPolicy")
                                .willReturn(
                                        json(
                                                500,
                                                "{\"__type\":\"ServerException\",\"message\":\"boom\"}")));
        Finding f = Fixtures.vulnerable("payments-api", "fail-1");

        Run run = apply(s, "quarantine-repository", true, f);

        AuditRecord rec = run.only();
        assertThat(rec.result()).isEqualTo(AuditRecord.RESULT_FAILED);
        assertThat(rec.attempts()).isEqualTo(3);
        assertThat(rec.error()).startsWith("gave up after 3 attempts: ServerException");
        assertThat(rec.before().path("policyText").asText()).isEqualTo(EXISTING_POLICY);
        assertThat(ecrCalls(wm(), "SetRepositoryPolicy")).hasSize(3);
        assertThat(sleeps).hasSize(2);
        assertThat(run.failed()).isEqualTo(1);

        List<String> dead = Files.readAllLines(dir.resolve("dead-letter.jsonl"));
        assertThat(dead).hasSize(1);
        JsonNode dl = Json.tree(dead.get(0));
        assertThat(dl.path("sink").asText()).isEqualTo("remediation:quarantine-repository");
        assertThat(dl.path("findingId").asText()).isEqualTo(f.id());
        assertThat(dl.path("attempts").asInt()).isEqualTo(3);
        assertThat(dl.path("finding").path("action").asText()).isEqualTo("quarantine-repository");
        assertThat(dl.path("finding").path("finding").path("id").asText()).isEqualTo(f.id());

        Finding raised = run.failures().get(0);
        assertThat(raised.ruleId()).isEqualTo(RemediationConfig.FAILED_RULE_ID);
        assertThat(raised.severity()).isEqualTo(Severity.HIGH);
        assertThat(raised.repository().name()).isEqualTo("payments-api");
        assertThat(raised.details())
                .containsEntry("originalFindingId", f.id())
                .containsEntry("auditId", rec.id());
        assertThat(raised.title())
                .isEqualTo(
                        "Remediation failed: quarantine-repository on arn:aws:ecr:us-east-1:"
                                + ACCOUNT
                                + ":repository/payments-api");

        // Failed is not done: the next run tries again.
        wm().resetAll();
        Fixtures.repositoryPolicy(wm(), EXISTING_POLICY);
        assertThat(apply(s, "quarantine-repository", true, f).only().result())
                .isEqualTo(AuditRecord.RESULT_EXECUTED);
    }

    @Test
    void aRefusedCallIsNotRetried() throws Exception {
        RemediationSettings s =
                Fixtures.settings(AWS, dir, "actions:\n  quarantine-repository: {dryRun: false}\n");
        Fixtures.repositoryPolicy(wm(), EXISTING_POLICY);
        wm().stubFor(
                        ecr("SetRepositoryPolicy")
                                .willReturn(
                                        json(
                                                400,
                                                "{\"__type\":\"AccessDeniedException\",\"message\":\"not authorized to perform ecr:SetRepositoryPolicy\"}")));
        Run run =
                apply(
                        s,
                        "quarantine-repository",
                        true,
                        Fixtures.vulnerable("payments-api", "deny-1"));
        assertThat(run.only().result()).isEqualTo(AuditRecord.RESULT_FAILED);
        assertThat(run.only().attempts()).isEqualTo(1);
        assertThat(run.only().error())
                .startsWith(
                        "AccessDeniedException: not authorized to perform ecr:SetRepositoryPolicy");
        assertThat(sleeps).isEmpty();
        assertThat(Files.readAllLines(dir.resolve("dead-letter.jsonl"))).hasSize(1);
    }

    @Test
    void findingsWithoutWhatTheActionNeedsAreNotApplicable() throws Exception {
        RemediationSettings s =
                Fixtures.settings(
                        AWS,
                        dir,
                        """
                actions:
                  remove-exposing-statements: {dryRun: false}
                  quarantine-repository: {dryRun: false}
                """);
        Finding download = Fixtures.download(ACCOUNT, "developer", "na-1");
        Run run = apply(s, "remove-exposing-statements", true, download);
        assertThat(run.only().result()).isEqualTo(AuditRecord.RESULT_NOT_APPLICABLE);
        assertThat(run.only().error()).contains("no exposing policy statements");
        // A finding (forged, or from another tool) naming a Deny statement: removing it could only
        // widen access.
        Finding denyOnly =
                new Finding(
                        "forged-1",
                        "repository-exposed",
                        Severity.CRITICAL,
                        "t",
                        "d",
                        ACCOUNT,
                        "us-east-1",
                        null,
                        new Finding.FindingRepository("payments-api", ACCOUNT),
                        null,
                        null,
                        null,
                        null,
                        1,
                        "k",
                        List.of(),
                        Map.of(
                                "statements",
                                List.of(
                                        Map.of(
                                                "statement",
                                                Json.tree(
                                                        "{\"Sid\":\"DenyDelete\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"ecr:*\"}")))),
                        List.of(),
                        null);
        assertThat(apply(s, "remove-exposing-statements", true, denyOnly).only().result())
                .isEqualTo(AuditRecord.RESULT_NOT_APPLICABLE);
        Finding noRepo = Fixtures.registryExposed();
        assertThat(apply(s, "quarantine-repository", true, noRepo).only().error())
                .isEqualTo("the finding names no repository");
        assertThat(wm().getAllServeEvents()).isEmpty();
    }
}
