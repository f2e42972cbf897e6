package io.layerwatch.remediation;

import static io.layerwatch.remediation.Fixtures.CI_PULL;
import static io.layerwatch.remediation.Fixtures.PUBLIC_PULL;
import static io.layerwatch.remediation.Fixtures.ecrCalls;
import static io.layerwatch.testing.CloudTrailRecords.ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.FOREIGN_ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.patterns.AccessDeniedBurst;
import io.layerwatch.rules.EndgameIoc;
import io.layerwatch.sinks.remediation.AuditLog;
import io.layerwatch.sinks.remediation.AuditRecord;
import io.layerwatch.sinks.remediation.RemediationBatch;
import io.layerwatch.sinks.remediation.RemediationSettings;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.testing.FakeAws;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remediation acts only on what happened: calls that failed, or registries named only by the
 * request, choose nothing.
 */
class RemediationTriggerIT {
    static final String VICTIM = "555566667777";

    @RegisterExtension static final FakeAws AWS = new FakeAws();

    @TempDir Path dir;

    RemediationSettings settings(String rateLimit) {
        return Fixtures.settings(
                AWS,
                dir,
                """
                rateLimit: %s
                rules:
                  endgame-ioc: {actions: [remove-exposing-statements]}
                actions:
                  remove-exposing-statements: {dryRun: false}
                """
                        .formatted(rateLimit));
    }

    List<AuditRecord> apply(RemediationSettings s, Finding... findings) throws Exception {
        List<AuditRecord> out = new ArrayList<>();
        try (RemediationBatch b =
                new RemediationBatch(
                        s, new AuditLog(dir.resolve("audit.jsonl")), "cli:test", x -> {})) {
            b.apply(List.of(findings), null, true, out::add);
        }
        return out;
    }

    /**
     * A read-only identity's denied SetRepositoryPolicy, user agent endgame, naming the victim's
     * registry.
     */
    static Finding deniedAttempt(String id) {
        CloudTrailRecords.Builder b =
                record("SetRepositoryPolicy")
                        .assumedRole(ACCOUNT, "ReadOnly", "mallory")
                        .userAgent("endgame")
                        .repositoryName("payments-api")
                        .param("registryId", VICTIM)
                        .policyText(CloudTrailRecords.policyDocument(CI_PULL))
                        .errorCode("AccessDeniedException")
                        .eventId(id);
        return new EndgameIoc()
                .evaluate(b.event(), Fixtures.RULES.rule(EndgameIoc.ID))
                .orElseThrow();
    }

    static final String BACKDOOR =
            "{\"Sid\":\"Endgame\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::"
                    + FOREIGN_ACCOUNT
                    + ":root\"},\"Action\":\"ecr:*\"}";

    /** The real backdoor that follows, recorded in the victim's account. */
    static Finding realExposure() {
        return new EndgameIoc()
                .evaluate(
                        record("SetRepositoryPolicy")
                                .recipientAccount(VICTIM)
                                .assumedRole(VICTIM, "Admin", "eve")
                                .repositoryName("payments-api")
                                .param("registryId", VICTIM)
                                .policyText(CloudTrailRecords.policyDocument(BACKDOOR))
                                .eventId("real-1")
                                .event(),
                        Fixtures.RULES.rule(EndgameIoc.ID))
                .orElseThrow();
    }

    @Test
    void deniedCallsNamingAnotherRegistryNeitherActNorUseTheBudget() throws Exception {
        Fixtures.repositoryPolicy(
                AWS.server(), CloudTrailRecords.policyDocument(CI_PULL, BACKDOOR));
        Finding attempt = deniedAttempt("deny-1");
        assertThat(attempt.details()).containsEntry("attempt", true);

        List<AuditRecord> out =
                apply(
                        settings("{perHour: 10, perAccountPerHour: 3}"),
                        attempt,
                        deniedAttempt("deny-2"),
                        deniedAttempt("deny-3"),
                        realExposure());

        assertThat(out)
                .extracting(AuditRecord::result)
                .containsExactly(
                        AuditRecord.RESULT_NOT_APPLICABLE,
                        AuditRecord.RESULT_NOT_APPLICABLE,
                        AuditRecord.RESULT_NOT_APPLICABLE,
                        AuditRecord.RESULT_EXECUTED);
        assertThat(out.subList(0, 3))
                .allSatisfy(
                        r -> {
                            assertThat(r.error()).contains("failed call");
                            assertThat(r.attempts()).isZero();
                            assertThat(r.account()).isNotEqualTo(VICTIM);
                        });
        assertThat(out.get(3).account()).isEqualTo(VICTIM);
        assertThat(ecrCalls(AWS.server(), "SetRepositoryPolicy"))
                .as("only the real backdoor is removed")
                .hasSize(1);
        assertThat(
                        Fixtures.policySent(ecrCalls(AWS.server(), "SetRepositoryPolicy").get(0))
                                .toString())
                .as("the legitimate statement the attempt copied stays")
                .contains("AllowCiPull");
    }

    @Test
    void deniedPullsNamingAVictimsRepositoryNeverQuarantineIt() throws Exception {
        // An outsider's ten denied pulls of the victim's repository raise access-denied-burst,
        // mapped here to quarantine-repository and revoke-sessions: neither acts.
        RemediationSettings s =
                Fixtures.settings(
                        AWS,
                        dir,
                        """
                rules:
                  access-denied-burst: {actions: [quarantine-repository, revoke-sessions]}
                actions:
                  quarantine-repository: {dryRun: false}
                  revoke-sessions: {dryRun: false}
                """);
        List<EcrEvent> denied = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            denied.add(
                    record("BatchGetImage")
                            .recipientAccount(VICTIM)
                            .assumedRole(VICTIM, "Prober", "mallory")
                            .repositoryName("payments-api")
                            .errorCode("AccessDeniedException")
                            .eventId("denied-" + i)
                            .time(CloudTrailRecords.TIME.plusSeconds(i))
                            .event());
        }
        var burst = new AccessDeniedBurst();
        Finding f = burst.toFinding(Map.of("burst", denied), Fixtures.RULES.rule(burst.id()));
        assertThat(f.details()).containsEntry("attempt", true);

        List<AuditRecord> out = new ArrayList<>();
        try (RemediationBatch b =
                new RemediationBatch(
                        s, new AuditLog(dir.resolve("audit.jsonl")), "cli:test", x -> {})) {
            b.apply(List.of(f), null, true, out::add);
        }
        assertThat(out)
                .hasSize(2)
                .allSatisfy(
                        r -> {
                            assertThat(r.result()).isEqualTo(AuditRecord.RESULT_NOT_APPLICABLE);
                            assertThat(r.error()).contains("failed call ([AccessDeniedException])");
                        });
        assertThat(AWS.server().getAllServeEvents()).isEmpty();
    }

    @Test
    void aRegistryNamedOnlyByTheRequestIsNeverTheTarget() throws Exception {
        // Succeeded, but recorded in ACCOUNT while the request names the victim's registry: no
        // target.
        Finding f =
                new EndgameIoc()
                        .evaluate(
                                record("SetRepositoryPolicy")
                                        .userAgent("endgame")
                                        .repositoryName("payments-api")
                                        .param("registryId", VICTIM)
                                        .policyText(CloudTrailRecords.policyDocument(PUBLIC_PULL))
                                        .eventId("named-1")
                                        .event(),
                                Fixtures.RULES.rule(EndgameIoc.ID))
                        .orElseThrow();
        AuditRecord r = apply(settings("{perHour: 10, perAccountPerHour: 3}"), f).get(0);
        assertThat(r.result()).isEqualTo(AuditRecord.RESULT_NOT_APPLICABLE);
        assertThat(r.error()).contains("request names registry " + VICTIM);
        assertThat(AWS.server().getAllServeEvents()).isEmpty();
    }

    @Test
    void cheapFindingsDoNotUseUpTheBudgetOfSevereOnes() throws Exception {
        Fixtures.repositoryPolicy(AWS.server(), Fixtures.EXISTING_POLICY);
        RemediationSettings s =
                Fixtures.settings(
                        AWS,
                        dir,
                        """
                rateLimit: {perHour: 10, perAccountPerHour: 1, severities: {HIGH: {perAccountPerHour: 2}}}
                rules:
                  layer-download: {actions: [quarantine-repository]}
                  vulnerable-image-scan: {actions: [quarantine-repository]}
                actions:
                  quarantine-repository: {dryRun: false}
                """);
        // LOW layer downloads (anyone can make them) come first and fill the LOW budget of the
        // account.
        List<AuditRecord> out =
                apply(
                        s,
                        Fixtures.download(ACCOUNT, "dev", "d-1"),
                        Fixtures.download(ACCOUNT, "dev", "d-2"),
                        Fixtures.vulnerable("a", "v-1"),
                        Fixtures.vulnerable("b", "v-2"),
                        Fixtures.vulnerable("c", "v-3"));
        assertThat(out)
                .extracting(AuditRecord::result)
                .containsExactly(
                        AuditRecord.RESULT_EXECUTED,
                        AuditRecord.RESULT_RATE_LIMITED,
                        AuditRecord.RESULT_EXECUTED,
                        AuditRecord.RESULT_EXECUTED,
                        AuditRecord.RESULT_RATE_LIMITED);
        assertThat(out.get(4).error())
                .contains("limit of 2 actions per hour in account " + ACCOUNT)
                .contains("HIGH");

        // The next run seeds each budget from the audit log: HIGH stays full, LOW too.
        List<AuditRecord> later =
                apply(s, Fixtures.vulnerable("d", "v-4"), Fixtures.download(ACCOUNT, "dev", "d-3"));
        assertThat(later)
                .extracting(AuditRecord::result)
                .containsExactly(AuditRecord.RESULT_RATE_LIMITED, AuditRecord.RESULT_RATE_LIMITED);
    }

    @Test
    void zeroPerHourStillStopsEveryBudget() throws Exception {
        RemediationSettings s =
                Fixtures.settings(
                        AWS,
                        dir,
                        """
                rateLimit: {perHour: 0, severities: {HIGH: {perHour: 5}}}
                actions:
                  quarantine-repository: {dryRun: false}
                """);
        List<AuditRecord> out = new ArrayList<>();
        try (RemediationBatch b =
                new RemediationBatch(
                        s, new AuditLog(dir.resolve("audit.jsonl")), "cli:test", x -> {})) {
            b.apply(
                    List.of(Fixtures.vulnerable("a", "z-1")),
                    "quarantine-repository",
                    true,
                    out::add);
        }
        assertThat(out)
                .extracting(AuditRecord::result)
                .containsExactly(AuditRecord.RESULT_RATE_LIMITED);
        assertThat(AWS.server().getAllServeEvents()).isEmpty();
    }
}
