package io.layerwatch.remediation;

import static io.layerwatch.remediation.Fixtures.ASSUMED_KEY;
import static io.layerwatch.remediation.Fixtures.CI_PULL;
import static io.layerwatch.remediation.Fixtures.DENY_POLICY_ARN;
import static io.layerwatch.remediation.Fixtures.EXISTING_POLICY;
import static io.layerwatch.remediation.Fixtures.NOW;
import static io.layerwatch.remediation.Fixtures.PUBLIC_PULL;
import static io.layerwatch.remediation.Fixtures.body;
import static io.layerwatch.remediation.Fixtures.ecrCalls;
import static io.layerwatch.remediation.Fixtures.form;
import static io.layerwatch.remediation.Fixtures.policySent;
import static io.layerwatch.remediation.Fixtures.queryCalls;
import static io.layerwatch.testing.CloudTrailRecords.ACCOUNT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.layerwatch.finding.Finding;
import io.layerwatch.sinks.remediation.AuditLog;
import io.layerwatch.sinks.remediation.AuditRecord;
import io.layerwatch.sinks.remediation.PolicyDocuments;
import io.layerwatch.sinks.remediation.RemediationBatch;
import io.layerwatch.sinks.remediation.RemediationSettings;
import io.layerwatch.testing.FakeAws;
import io.layerwatch.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each action and its undo with the real SDK clients against WireMock: the requests ECR and IAM
 * receive (bodies checked: existing statements preserved, documents as documented), the audit
 * record (before/after), and undo restoring the exact prior state.
 */
class RemediationActionsIT {

    @RegisterExtension static final FakeAws AWS = new FakeAws();

    @TempDir Path dir;

    WireMockServer wm() {
        return AWS.server();
    }

    RemediationSettings settings(String yaml) {
        return Fixtures.settings(AWS, dir, yaml);
    }

    List<AuditRecord> apply(RemediationSettings s, String action, Finding... findings)
            throws Exception {
        List<AuditRecord> out = new ArrayList<>();
        try (RemediationBatch b =
                new RemediationBatch(
                        s, new AuditLog(dir.resolve("audit.jsonl")), "cli:test", ms -> {})) {
            b.apply(List.of(findings), action, true, out::add);
        }
        return out;
    }

    /** An executed action: the settings it ran under and its audit record. */
    record Executed(RemediationSettings settings, AuditRecord record) {}

    List<AuditRecord> undo(RemediationSettings s, String id) throws Exception {
        List<AuditRecord> out = new ArrayList<>();
        try (RemediationBatch b =
                new RemediationBatch(
                        s, new AuditLog(dir.resolve("audit.jsonl")), "cli:test", ms -> {})) {
            b.undo(id, false, out::add);
        }
        return out;
    }

    /** Quarantines payments-api, whose policy is {@link Fixtures#EXISTING_POLICY}. */
    Executed quarantineOfTheExistingPolicy() throws Exception {
        RemediationSettings s =
                settings(
                        """
                breakGlassPrincipals: ["arn:aws:iam::111122223333:role/BreakGlass"]
                rules:
                  vulnerable-image-scan: {actions: [quarantine-repository]}
                actions:
                  quarantine-repository: {dryRun: false}
                """);
        Fixtures.repositoryPolicy(wm(), EXISTING_POLICY);
        return new Executed(
                s, apply(s, null, Fixtures.vulnerable("payments-api", "scan-1")).get(0));
    }

    @Test
    void quarantineMergesTheDenyKeepingEveryStatement() throws Exception {
        AuditRecord rec = quarantineOfTheExistingPolicy().record();
        Finding vulnerable = Fixtures.vulnerable("payments-api", "scan-1");

        assertThat(rec.result()).isEqualTo(AuditRecord.RESULT_EXECUTED);
        assertThat(rec.mode()).isEqualTo(AuditRecord.EXECUTE);
        assertThat(rec.findingId()).isEqualTo(vulnerable.id());
        assertThat(rec.ruleId()).isEqualTo("vulnerable-image-scan");
        assertThat(rec.target())
                .isEqualTo("arn:aws:ecr:us-east-1:" + ACCOUNT + ":repository/payments-api");
        assertThat(rec.actor()).isEqualTo("cli:test");
        assertThat(rec.reason()).startsWith("HIGH vulnerable-image-scan: ");
        assertThat(rec.before().path("policyText").asText()).isEqualTo(EXISTING_POLICY);
        assertThat(rec.attempts()).isEqualTo(1);

        List<LoggedRequest> get = ecrCalls(wm(), "GetRepositoryPolicy");
        assertThat(get).hasSize(1);
        assertThat(body(get.get(0)).path("repositoryName").asText()).isEqualTo("payments-api");
        assertThat(body(get.get(0)).path("registryId").asText()).isEqualTo(ACCOUNT);
        List<LoggedRequest> set = ecrCalls(wm(), "SetRepositoryPolicy");
        assertThat(set).hasSize(1);
        assertThat(body(set.get(0)).path("repositoryName").asText()).isEqualTo("payments-api");
        assertThat(body(set.get(0)).has("force")).isFalse();
        JsonNode sent = policySent(set.get(0));
        assertThat(sent.path("Statement")).hasSize(3);
        assertThat(sent.path("Statement").get(0)).isEqualTo(Json.tree(CI_PULL));
        assertThat(sent.path("Statement").get(1)).isEqualTo(Json.tree(PUBLIC_PULL));
        JsonNode deny = sent.path("Statement").get(2);
        assertThat(deny.path("Sid").asText()).isEqualTo(PolicyDocuments.QUARANTINE_SID);
        assertThat(deny.path("Effect").asText()).isEqualTo("Deny");
        assertThat(
                        deny.path("Condition")
                                .path("ArnNotLike")
                                .path("aws:PrincipalArn")
                                .get(0)
                                .asText())
                .isEqualTo("arn:aws:iam::111122223333:role/BreakGlass");
        assertThat(rec.after().path("policyText").asText())
                .isEqualTo(body(set.get(0)).path("policyText").asText());
    }

    @Test
    void undoOfAQuarantineRestoresTheExactPriorPolicy() throws Exception {
        Executed done = quarantineOfTheExistingPolicy();
        RemediationSettings s = done.settings();
        AuditRecord rec = done.record();
        // ECR still holds what the action left, so the prior text is restored byte for byte.
        wm().resetAll();
        Fixtures.repositoryPolicy(wm(), rec.after().path("policyText").asText());
        AuditRecord undone = undo(s, rec.id()).get(0);
        assertThat(undone.result()).isEqualTo(AuditRecord.RESULT_UNDONE);
        assertThat(undone.undoes()).isEqualTo(rec.id());
        assertThat(body(ecrCalls(wm(), "SetRepositoryPolicy").get(0)).path("policyText").asText())
                .isEqualTo(EXISTING_POLICY);
    }

    /** Quarantines payments-api, which has no repository policy. */
    Executed quarantineWithoutAPolicy() throws Exception {
        RemediationSettings s = settings("actions:\n  quarantine-repository: {dryRun: false}\n");
        Fixtures.repositoryPolicy(wm(), null);
        return new Executed(
                s,
                apply(s, "quarantine-repository", Fixtures.vulnerable("payments-api", "scan-2"))
                        .get(0));
    }

    @Test
    void quarantineWithoutAPolicyCreatesOne() throws Exception {
        AuditRecord rec = quarantineWithoutAPolicy().record();
        assertThat(rec.result()).isEqualTo(AuditRecord.RESULT_EXECUTED);
        assertThat(rec.before().path("policyText").isNull()).isTrue();
        JsonNode sent = policySent(ecrCalls(wm(), "SetRepositoryPolicy").get(0));
        assertThat(sent.path("Version").asText()).isEqualTo("2012-10-17");
        assertThat(sent.path("Statement")).hasSize(1);
        assertThat(sent.path("Statement").get(0).has("Condition")).isFalse();
    }

    @Test
    void undoOfAQuarantineThatCreatedThePolicyDeletesIt() throws Exception {
        Executed done = quarantineWithoutAPolicy();
        RemediationSettings s = done.settings();
        AuditRecord rec = done.record();
        wm().resetAll();
        Fixtures.repositoryPolicy(wm(), rec.after().path("policyText").asText());
        assertThat(undo(s, rec.findingId()).get(0).result()).isEqualTo(AuditRecord.RESULT_UNDONE);
        assertThat(ecrCalls(wm(), "DeleteRepositoryPolicy")).hasSize(1);
        assertThat(ecrCalls(wm(), "SetRepositoryPolicy")).isEmpty();
    }

    @Test
    void quarantineAlreadyInPlaceIsNoChange() throws Exception {
        RemediationSettings s = settings("actions:\n  quarantine-repository: {dryRun: false}\n");
        String quarantined =
                PolicyDocuments.mergeStatement(
                                EXISTING_POLICY, PolicyDocuments.quarantineStatement(List.of()))
                        .text();
        Fixtures.repositoryPolicy(wm(), quarantined);
        AuditRecord rec =
                apply(s, "quarantine-repository", Fixtures.vulnerable("payments-api", "scan-3"))
                        .get(0);
        assertThat(rec.result()).isEqualTo(AuditRecord.RESULT_NO_CHANGE);
        assertThat(ecrCalls(wm(), "SetRepositoryPolicy")).isEmpty();
    }

    /** Removes the public pull from {@link Fixtures#EXISTING_POLICY}. */
    Executed removalOfThePublicPull() throws Exception {
        RemediationSettings s =
                settings(
                        """
                rules:
                  repository-exposed: {actions: [remove-exposing-statements], minSeverity: HIGH}
                actions:
                  remove-exposing-statements: {dryRun: false}
                """);
        Fixtures.repositoryPolicy(wm(), EXISTING_POLICY);
        return new Executed(s, apply(s, null, Fixtures.exposed("exp-1")).get(0));
    }

    @Test
    void removeExposingStatementsKeepsTheRestAndRecordsWhatWent() throws Exception {
        AuditRecord rec = removalOfThePublicPull().record();

        assertThat(rec.result()).isEqualTo(AuditRecord.RESULT_EXECUTED);
        JsonNode sent = policySent(ecrCalls(wm(), "SetRepositoryPolicy").get(0));
        assertThat(sent.path("Statement")).hasSize(1);
        assertThat(sent.path("Statement").get(0)).isEqualTo(Json.tree(CI_PULL));
        assertThat(rec.after().path("removedStatements")).hasSize(1);
        assertThat(rec.after().path("removedStatements").get(0)).isEqualTo(Json.tree(PUBLIC_PULL));
        assertThat(rec.before().path("policyText").asText()).isEqualTo(EXISTING_POLICY);
        assertThat(rec.change().path("scope").asText()).isEqualTo("repository");
    }

    @Test
    void undoPutsTheRemovedStatementBackOnceKeepingLaterOnes() throws Exception {
        Executed done = removalOfThePublicPull();
        RemediationSettings s = done.settings();
        AuditRecord rec = done.record();
        // Someone added a statement since: undo adds the removed statement back and keeps theirs.
        wm().resetAll();
        String later =
                "{\"Version\":\"2012-10-17\",\"Statement\":["
                        + CI_PULL
                        + ",{\"Sid\":\"Later\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"ecr:DeleteRepository\"}]}";
        Fixtures.repositoryPolicy(wm(), later);
        AuditRecord undone = undo(s, rec.id()).get(0);
        assertThat(undone.result()).isEqualTo(AuditRecord.RESULT_UNDONE);
        JsonNode restored = policySent(ecrCalls(wm(), "SetRepositoryPolicy").get(0));
        assertThat(restored.path("Statement")).hasSize(3);
        assertThat(restored.path("Statement").get(1).path("Sid").asText()).isEqualTo("Later");
        assertThat(restored.path("Statement").get(2)).isEqualTo(Json.tree(PUBLIC_PULL));

        // Undone once: a second undo does nothing.
        wm().resetAll();
        assertThat(undo(s, rec.id()).get(0).result()).isEqualTo(AuditRecord.RESULT_ALREADY_DONE);
        assertThat(wm().getAllServeEvents()).isEmpty();
    }

    RemediationSettings removeExposingStatementsExecutes() {
        return settings("actions:\n  remove-exposing-statements: {dryRun: false}\n");
    }

    @Test
    void removeExposingStatementsRewritesTheRegistryPolicy() throws Exception {
        Fixtures.registryPolicy(wm(), EXISTING_POLICY);
        AuditRecord rec =
                apply(
                                removeExposingStatementsExecutes(),
                                "remove-exposing-statements",
                                Fixtures.registryExposed())
                        .get(0);
        assertThat(rec.result()).isEqualTo(AuditRecord.RESULT_EXECUTED);
        assertThat(rec.target()).isEqualTo(ACCOUNT + ".dkr.ecr.us-east-1.amazonaws.com");
        assertThat(ecrCalls(wm(), "SetRepositoryPolicy")).isEmpty();
        JsonNode sent = policySent(ecrCalls(wm(), "PutRegistryPolicy").get(0));
        assertThat(sent.path("Statement")).hasSize(1);
        assertThat(sent.path("Statement").get(0)).isEqualTo(Json.tree(CI_PULL));
    }

    @Test
    void removeExposingStatementsLeavesOnlyTheCiPullOfTheEndgamePolicy() throws Exception {
        Finding endgame = Fixtures.endgame();
        Fixtures.repositoryPolicy(
                wm(),
                endgame.evidence().get(0).path("requestParameters").path("policyText").asText());
        AuditRecord eg =
                apply(removeExposingStatementsExecutes(), "remove-exposing-statements", endgame)
                        .get(0);
        assertThat(eg.result()).isEqualTo(AuditRecord.RESULT_EXECUTED);
        JsonNode kept = policySent(ecrCalls(wm(), "SetRepositoryPolicy").get(0));
        assertThat(kept.path("Statement")).hasSize(1);
        assertThat(kept.path("Statement").get(0).path("Sid").asText()).isEqualTo("AllowCiPull");
    }

    /** Denies the role developer layer downloads (it has ReadOnlyAccess attached). */
    Executed denialToTheDeveloperRole() throws Exception {
        RemediationSettings s = settings("actions:\n  deny-layer-download: {dryRun: false}\n");
        Fixtures.attachedPolicies(wm(), "arn:aws:iam::aws:policy/ReadOnlyAccess");
        return new Executed(
                s,
                apply(s, "deny-layer-download", Fixtures.download(ACCOUNT, "developer", "dl-1"))
                        .get(0));
    }

    @Test
    void denyLayerDownloadAttachesThePreCreatedDenyPolicyToARole() throws Exception {
        AuditRecord rec = denialToTheDeveloperRole().record();
        assertThat(rec.result()).as(rec.error()).isEqualTo(AuditRecord.RESULT_EXECUTED);
        assertThat(rec.target()).isEqualTo("arn:aws:iam::" + ACCOUNT + ":role/developer");
        assertThat(form(queryCalls(wm(), "AttachRolePolicy").get(0)))
                .containsEntry("RoleName", "developer")
                .containsEntry("PolicyArn", DENY_POLICY_ARN);
        assertThat(queryCalls(wm(), "PutRolePolicy")).as("no inline policy").isEmpty();
        assertThat(rec.change().path("attachPolicyArn").asText()).isEqualTo(DENY_POLICY_ARN);
        assertThat(rec.before().path("attached").asBoolean()).isFalse();
        assertThat(rec.after().path("attached").asBoolean()).isTrue();
        assertThat(rec.after().path("policyArn").asText()).isEqualTo(DENY_POLICY_ARN);
    }

    @Test
    void denyLayerDownloadAttachesThePreCreatedDenyPolicyToAUser() throws Exception {
        RemediationSettings s = settings("actions:\n  deny-layer-download: {dryRun: false}\n");
        Fixtures.attachedPolicies(wm());
        AuditRecord user = apply(s, "deny-layer-download", Fixtures.downloadByUser("bob")).get(0);
        assertThat(user.result()).isEqualTo(AuditRecord.RESULT_EXECUTED);
        assertThat(form(queryCalls(wm(), "AttachUserPolicy").get(0)))
                .containsEntry("UserName", "bob")
                .containsEntry("PolicyArn", DENY_POLICY_ARN);
        assertThat(queryCalls(wm(), "PutUserPolicy")).isEmpty();
    }

    @Test
    void undoOfADenialDetachesTheDenyPolicy() throws Exception {
        Executed done = denialToTheDeveloperRole();
        RemediationSettings s = done.settings();
        AuditRecord rec = done.record();
        // The policy is attached (as the action left it): it is detached again.
        wm().resetAll();
        Fixtures.attachedPolicies(wm(), DENY_POLICY_ARN);
        assertThat(undo(s, rec.id()).get(0).result()).isEqualTo(AuditRecord.RESULT_UNDONE);
        assertThat(form(queryCalls(wm(), "DetachRolePolicy").get(0)))
                .containsEntry("RoleName", "developer")
                .containsEntry("PolicyArn", DENY_POLICY_ARN);
        assertThat(queryCalls(wm(), "DeleteRolePolicy")).isEmpty();
    }

    @Test
    void anInlineDenyOfEarlierVersionsIsUndoneThroughTheRevokeSessionsRole() throws Exception {
        RemediationSettings s =
                settings(
                        """
                assumeRole: {roleArn: "arn:aws:iam::{account}:role/LayerWatchRemediation"}
                actions:
                  deny-layer-download: {dryRun: false}
                """);
        String role = "arn:aws:iam::" + ACCOUNT + ":role/developer";
        String document = PolicyDocuments.denyLayerDownloadPolicy();
        ObjectNode before =
                Json.MAPPER
                        .createObjectNode()
                        .put("principal", role)
                        .put("policyName", PolicyDocuments.DENY_LAYER_DOWNLOAD_POLICY)
                        .putNull("policyDocument");
        ObjectNode after = before.deepCopy().put("policyDocument", document);
        new AuditLog(dir.resolve("audit.jsonl"))
                .append(
                        new AuditRecord(
                                "legacy-1",
                                NOW,
                                "f-1",
                                "layer-download",
                                "deny-layer-download",
                                role,
                                ACCOUNT,
                                null,
                                AuditRecord.EXECUTE,
                                "cli:test",
                                "cli",
                                "r",
                                null,
                                before,
                                after,
                                AuditRecord.RESULT_EXECUTED,
                                null,
                                1,
                                null));
        Fixtures.assumeRole(wm());
        Fixtures.inlinePolicies(wm(), document);
        assertThat(undo(s, "legacy-1").get(0).result()).isEqualTo(AuditRecord.RESULT_UNDONE);
        assertThat(form(queryCalls(wm(), "DeleteRolePolicy").get(0)))
                .containsEntry("RoleName", "developer")
                .containsEntry("PolicyName", PolicyDocuments.DENY_LAYER_DOWNLOAD_POLICY);
        assertThat(queryCalls(wm(), "AssumeRole"))
                .extracting(r -> form(r).get("RoleArn"))
                .containsOnly("arn:aws:iam::" + ACCOUNT + ":role/LayerWatchRevokeSessions");
    }

    @Test
    void denyLayerDownloadAlreadyAttachedOnAnyPageIsNoChange() throws Exception {
        RemediationSettings s = settings("actions:\n  deny-layer-download: {dryRun: false}\n");
        Fixtures.attachedPolicies(
                wm(),
                List.of(
                        List.of("arn:aws:iam::aws:policy/ReadOnlyAccess"),
                        List.of(DENY_POLICY_ARN)));
        AuditRecord rec =
                apply(s, "deny-layer-download", Fixtures.download(ACCOUNT, "developer", "dl-2"))
                        .get(0);
        assertThat(rec.result()).as(rec.error()).isEqualTo(AuditRecord.RESULT_NO_CHANGE);
        assertThat(queryCalls(wm(), "ListAttachedRolePolicies")).as("both pages read").hasSize(2);
        assertThat(queryCalls(wm(), "AttachRolePolicy")).isEmpty();
        // Attached before LayerWatch came: not LayerWatch's to detach.
        assertThat(rec.before().path("attached").asBoolean()).isTrue();
    }

    @Test
    void denyLayerDownloadAttachesTheConfiguredPolicyOfTheTargetAccount() throws Exception {
        String configured = "arn:aws:iam::" + ACCOUNT + ":policy/security/QuarantinePulls";
        AuditRecord dryRun =
                apply(
                                settings(
                                        """
                actions:
                  deny-layer-download: {policyArn: "arn:aws:iam::{account}:policy/security/QuarantinePulls"}
                """),
                                "deny-layer-download",
                                Fixtures.download(ACCOUNT, "developer", "dl-4"))
                        .get(0);
        assertThat(dryRun.result()).isEqualTo(AuditRecord.RESULT_DRY_RUN);
        assertThat(dryRun.change().path("attachPolicyArn").asText())
                .as("the plan names it")
                .isEqualTo(configured);
        assertThat(wm().getAllServeEvents()).isEmpty();

        RemediationSettings s =
                settings(
                        """
                actions:
                  deny-layer-download:
                    dryRun: false
                    policyArn: "arn:aws:iam::{account}:policy/security/QuarantinePulls"
                """);
        Fixtures.attachedPolicies(wm());
        AuditRecord rec =
                apply(s, "deny-layer-download", Fixtures.download(ACCOUNT, "developer", "dl-3"))
                        .get(0);
        assertThat(rec.result()).as(rec.error()).isEqualTo(AuditRecord.RESULT_EXECUTED);
        assertThat(form(queryCalls(wm(), "AttachRolePolicy").get(0)))
                .containsEntry("PolicyArn", configured);
    }

    @Test
    void revokeSessionsDeniesTokensIssuedBeforeNowOnRolesOnly() throws Exception {
        RemediationSettings s = settings("actions:\n  revoke-sessions: {dryRun: false}\n");
        Fixtures.inlinePolicies(wm(), null);
        AuditRecord rec =
                apply(s, "revoke-sessions", Fixtures.download(ACCOUNT, "developer", "rv-1")).get(0);
        assertThat(rec.result()).isEqualTo(AuditRecord.RESULT_EXECUTED);
        var put = form(queryCalls(wm(), "PutRolePolicy").get(0));
        assertThat(put)
                .containsEntry("RoleName", "developer")
                .containsEntry("PolicyName", PolicyDocuments.REVOKE_SESSIONS_POLICY);
        JsonNode st = Json.tree(put.get("PolicyDocument")).path("Statement").get(0);
        assertThat(st.path("Effect").asText()).isEqualTo("Deny");
        assertThat(st.path("Action").get(0).asText()).isEqualTo("*");
        assertThat(st.path("Condition").path("DateLessThan").path("aws:TokenIssueTime").asText())
                .isEqualTo(NOW.toString());

        wm().resetAll();
        AuditRecord user = apply(s, "revoke-sessions", Fixtures.downloadByUser("bob")).get(0);
        assertThat(user.result()).isEqualTo(AuditRecord.RESULT_NOT_APPLICABLE);
        assertThat(user.error()).contains("applies to roles");
        assertThat(wm().getAllServeEvents()).isEmpty();
    }

    @Test
    void revokeSessionsAssumesItsOwnRoleNeverTheRemediationRole() throws Exception {
        String other = "444455556666";
        RemediationSettings s =
                settings(
                        """
                assumeRole:
                  roleArn: "arn:aws:iam::{account}:role/LayerWatchRemediation"
                  externalId: lw-ext
                actions:
                  revoke-sessions: {dryRun: false}
                  deny-layer-download: {dryRun: false}
                """);
        Fixtures.assumeRole(wm());
        Fixtures.inlinePolicies(wm(), null);
        AuditRecord rec =
                apply(s, "revoke-sessions", Fixtures.download(other, "builder", "rv-2")).get(0);
        assertThat(rec.result()).as(rec.error()).isEqualTo(AuditRecord.RESULT_EXECUTED);
        assertThat(queryCalls(wm(), "AssumeRole"))
                .extracting(r -> form(r).get("RoleArn"))
                .containsOnly("arn:aws:iam::444455556666:role/LayerWatchRevokeSessions");
        assertThat(form(queryCalls(wm(), "AssumeRole").get(0)))
                .containsEntry("ExternalId", "lw-ext");
        LoggedRequest put = queryCalls(wm(), "PutRolePolicy").get(0);
        assertThat(put.getHeader("Authorization")).contains("Credential=" + ASSUMED_KEY + "/");
        assertThat(queryCalls(wm(), "GetRolePolicy").get(0).getHeader("Authorization"))
                .contains("Credential=" + ASSUMED_KEY + "/");

        // deny-layer-download goes through the remediation role.
        wm().resetAll();
        Fixtures.assumeRole(wm());
        Fixtures.attachedPolicies(wm());
        AuditRecord deny =
                apply(s, "deny-layer-download", Fixtures.download(other, "builder", "rv-3")).get(0);
        assertThat(deny.result()).as(deny.error()).isEqualTo(AuditRecord.RESULT_EXECUTED);
        assertThat(queryCalls(wm(), "AssumeRole"))
                .extracting(r -> form(r).get("RoleArn"))
                .containsOnly("arn:aws:iam::444455556666:role/LayerWatchRemediation");
        assertThat(form(queryCalls(wm(), "AttachRolePolicy").get(0)))
                .containsEntry(
                        "PolicyArn",
                        "arn:aws:iam::444455556666:policy/layerwatch/LayerWatchDenyLayerDownload");
    }

    @Test
    void crossAccountActionsAssumeTheAccountsRoleAndSignWithIt() throws Exception {
        String other = "444455556666";
        RemediationSettings s =
                settings(
                        """
                assumeRole:
                  accounts:
                    "444455556666": {roleArn: "arn:aws:iam::444455556666:role/LayerWatchResponder", externalId: lw-ext}
                actions:
                  deny-layer-download: {dryRun: false}
                """);
        Fixtures.assumeRole(wm());
        Fixtures.attachedPolicies(wm());
        AuditRecord rec =
                apply(s, "deny-layer-download", Fixtures.download(other, "builder", "x-1")).get(0);
        assertThat(rec.result()).as(rec.error()).isEqualTo(AuditRecord.RESULT_EXECUTED);
        assertThat(rec.account()).isEqualTo(other);
        var assume = form(queryCalls(wm(), "AssumeRole").get(0));
        assertThat(assume)
                .containsEntry("RoleArn", "arn:aws:iam::444455556666:role/LayerWatchResponder")
                .containsEntry("RoleSessionName", "layerwatch-remediation")
                .containsEntry("ExternalId", "lw-ext");
        LoggedRequest attach = queryCalls(wm(), "AttachRolePolicy").get(0);
        assertThat(attach.getHeader("Authorization")).contains("Credential=" + ASSUMED_KEY + "/");
        assertThat(attach.getHeader("X-Amz-Security-Token")).isEqualTo("FwoGZXIvYXdzEXAMPLETOKEN");
        assertThat(form(attach)).containsEntry("RoleName", "builder");

        // A principal of an account LayerWatch has no role in is left alone.
        wm().resetAll();
        AuditRecord foreign =
                apply(
                                s,
                                "deny-layer-download",
                                Fixtures.download("999988887777", "intruder", "x-2"))
                        .get(0);
        assertThat(foreign.result()).isEqualTo(AuditRecord.RESULT_NOT_APPLICABLE);
        assertThat(wm().getAllServeEvents()).isEmpty();
    }
}
