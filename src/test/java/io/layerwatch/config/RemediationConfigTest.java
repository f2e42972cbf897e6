package io.layerwatch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.layerwatch.config.RemediationConfig.AccountRole;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The remediation: section: safe defaults, strict validation with the key path, merging like the
 * rest.
 */
class RemediationConfigTest {

    static RulesConfig yaml(String text) {
        return RulesConfigLoader.fromYaml(text, "mine.yaml");
    }

    @Test
    void builtInDefaultsAreOffAndDryRun() {
        RemediationConfig c = RulesConfigLoader.builtIn().remediation();
        assertThat(c.enabled()).isFalse();
        assertThat(c.rules()).isEmpty();
        assertThat(c.customActions())
                .containsExactly(
                        Map.entry("LayerWatchRemediate", RemediationConfig.QUARANTINE_REPOSITORY));
        for (String a : RemediationConfig.responseActions()) {
            assertThat(c.action(a).dryRun()).as(a).isTrue();
        }
        assertThat(c.rateLimit().perHour()).isEqualTo(10);
        assertThat(c.rateLimit().perAccountPerHour()).isEqualTo(3);
        assertThat(c.idempotencyTtl()).isEqualTo(Duration.ofDays(30));
        assertThat(c.failureSeverity()).isEqualTo(Severity.HIGH);
        assertThat(c.action(RemediationConfig.REGISTER_REGISTRY).option("registriesPath"))
                .isEqualTo("/container-security/entities/registries/v1");
    }

    @Test
    void rootServiceLinkedAndSsoRolesAreProtectedWhateverTheConfigSays() {
        RemediationConfig c = RulesConfigLoader.builtIn().remediation();
        assertThat(c.protectedPrincipal("arn:aws:iam::111122223333:root")).isTrue();
        assertThat(
                        c.protectedPrincipal(
                                "arn:aws:iam::111122223333:role/aws-service-role/ecr.amazonaws.com/AWSServiceRoleForECR"))
                .isTrue();
        assertThat(
                        c.protectedPrincipal(
                                "arn:aws:iam::111122223333:role/AWSReservedSSO_Admin_0123456789abcdef"))
                .isTrue();
        assertThat(c.protectedPrincipal("arn:aws:iam::111122223333:role/developer")).isFalse();
    }

    @Test
    void mappingsRolesAndProtectionParse() {
        RemediationConfig c =
                yaml("""
                remediation:
                  enabled: true
                  rateLimit: {perHour: 5}
                  protected:
                    principals: ["arn:aws:iam::*:role/ci-*"]
                    repositories: ["base/*"]
                  assumeRole:
                    roleArn: "arn:aws:iam::{account}:role/LayerWatchResponder"
                    accounts:
                      "444455556666": {roleArn: "arn:aws:iam::444455556666:role/Special", externalId: ext-1}
                  rules:
                    repository-exposed: {actions: [remove-exposing-statements, notify], minSeverity: HIGH}
                    vulnerable-image-scan: {actions: [Quarantine_Repository]}
                  customActions:
                    LWQuarantine: quarantine-repository
                  actions:
                    quarantine-repository: {dryRun: false}
                """)
                        .remediation();
        assertThat(c.enabled()).isTrue();
        assertThat(c.rateLimit().perHour()).isEqualTo(5);
        assertThat(c.rateLimit().perAccountPerHour()).isEqualTo(3);
        assertThat(c.rule("repository-exposed").actions())
                .containsExactly("remove-exposing-statements", "notify");
        assertThat(c.rule("repository-exposed").admits(Severity.MEDIUM)).isFalse();
        assertThat(c.rule("repository-exposed").admits(Severity.CRITICAL)).isTrue();
        assertThat(c.rule("vulnerable-image-scan").actions())
                .containsExactly("quarantine-repository");
        assertThat(c.rule("layer-download")).isNull();
        assertThat(c.customActions()).containsEntry("LWQuarantine", "quarantine-repository");
        assertThat(c.action("quarantine-repository").dryRun()).isFalse();
        assertThat(c.action("revoke-sessions").dryRun()).isTrue();
        assertThat(c.roleFor("444455556666").roleArn())
                .isEqualTo("arn:aws:iam::444455556666:role/Special");
        assertThat(c.roleFor("444455556666").externalId()).isEqualTo("ext-1");
        assertThat(c.roleFor("777788889999").roleArn())
                .isEqualTo("arn:aws:iam::777788889999:role/LayerWatchResponder");
        assertThat(c.protectedRepository("base/alpine")).isTrue();
        assertThat(c.protectedPrincipal("arn:aws:iam::111122223333:role/ci-deployer")).isTrue();
        // LayerWatch's own responder roles are never touched.
        assertThat(c.protectedPrincipal("arn:aws:iam::777788889999:role/LayerWatchResponder"))
                .isTrue();
        assertThat(c.protectedPrincipal("arn:aws:iam::444455556666:role/Special")).isTrue();
    }

    @Test
    void runtimeOverridesOnlyEverMakeItSafer() {
        RemediationConfig c =
                yaml("""
                remediation:
                  actions:
                    quarantine-repository: {dryRun: false}
                """)
                        .remediation();
        RemediationConfig off = c.allDryRun();
        assertThat(off.action("quarantine-repository").dryRun()).isTrue();
        assertThat(c.withEnabled(true).enabled()).isTrue();
        RemediationConfig roles =
                c.withDefaultRole("arn:aws:iam::{account}:role/LayerWatchRemediation", null);
        assertThat(roles.roleFor("444455556666").roleArn())
                .isEqualTo("arn:aws:iam::444455556666:role/LayerWatchRemediation");
        assertThat(roles.protectedPrincipal("arn:aws:iam::444455556666:role/LayerWatchRemediation"))
                .isTrue();
        assertThat(roles.action("quarantine-repository").dryRun()).isFalse();
    }

    @Test
    void mistakesFailWithFileAndKeyPath() {
        assertThatThrownBy(() -> yaml("remediation:\n  rateLimt: {perHour: 1}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "mine.yaml: remediation.rateLimt: unknown key (did you mean 'rateLimit'?)");
        assertThatThrownBy(
                        () ->
                                yaml(
                                        "remediation:\n  rules:\n    repository-exposd: {actions: [notify]}\n"))
                .hasMessage(
                        "mine.yaml: remediation.rules.repository-exposd: unknown rule id"
                                + " (did you mean 'repository-exposed'?)");
        assertThatThrownBy(
                        () ->
                                yaml(
                                        "remediation:\n  rules:\n    repository-exposed: {actions: [quarantine]}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(
                        "remediation.rules.repository-exposed.actions: item 0: 'quarantine' is not an action");
        assertThatThrownBy(
                        () ->
                                yaml(
                                        "remediation:\n  assumeRole:\n    accounts:\n      \"12345\": {roleArn: x}\n"))
                .hasMessage(
                        "mine.yaml: remediation.assumeRole.accounts.12345: is not a 12-digit AWS account id");
        assertThatThrownBy(
                        () ->
                                yaml(
                                        "remediation:\n  customActions:\n    Not-Valid: quarantine-repository\n"))
                .hasMessageContaining(
                        "remediation.customActions.Not-Valid: is not a Security Hub custom action id");
        assertThatThrownBy(
                        () ->
                                yaml(
                                        "remediation:\n  actions:\n    revoke-sessions: {dryRun: nope}\n"))
                .hasMessage(
                        "mine.yaml: remediation.actions.revoke-sessions.dryRun: 'nope' is not true or false");
        assertThatThrownBy(() -> yaml("remediation:\n  actions:\n    notify: {dryRun: false}\n"))
                .hasMessageContaining("remediation.actions.notify: unknown key");
        assertThatThrownBy(
                        () ->
                                yaml(
                                        """
                remediation:
                  rules:
                    registry-not-assessed: {actions: [register-registry]}
                  actions:
                    register-registry: {dryRun: false}
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("remediation.actions.register-registry.secretArn: required");
    }

    @Test
    void theDenyPolicyAndTheRevokeSessionsRoleFollowTheTargetAccount() {
        RemediationConfig c =
                yaml("""
                remediation:
                  assumeRole:
                    roleArn: "arn:aws-cn:iam::{account}:role/LayerWatchRemediation"
                    accounts:
                      "444455556666": {roleArn: "arn:aws-cn:iam::444455556666:role/team/Special", externalId: ext-1}
                """)
                        .remediation();
        assertThat(c.denyPolicyArn("aws-cn", "111122223333"))
                .isEqualTo(
                        "arn:aws-cn:iam::111122223333:policy/layerwatch/LayerWatchDenyLayerDownload");
        assertThat(c.revokeSessionsRoleFor("777788889999"))
                .isEqualTo(
                        new AccountRole(
                                "arn:aws-cn:iam::777788889999:role/LayerWatchRevokeSessions",
                                null));
        assertThat(c.revokeSessionsRoleFor("444455556666"))
                .isEqualTo(
                        new AccountRole(
                                "arn:aws-cn:iam::444455556666:role/LayerWatchRevokeSessions",
                                "ext-1"));
        // Without assumeRole every call uses the default credentials, revoke-sessions' too.
        assertThat(RulesConfigLoader.builtIn().remediation().revokeSessionsRoleFor("777788889999"))
                .isNull();
    }

    @Test
    void actionOptionsNameTheirOwnDenyPolicyAndRevokeRole() {
        RemediationConfig own =
                yaml("""
                remediation:
                  actions:
                    deny-layer-download: {policyArn: "arn:aws:iam::{account}:policy/sec/NoPulls"}
                    revoke-sessions: {assumeRole: "arn:aws:iam::{account}:role/ir/Revoker"}
                """)
                        .remediation();
        assertThat(own.denyPolicyArn("aws", "111122223333"))
                .isEqualTo("arn:aws:iam::111122223333:policy/sec/NoPulls");
        assertThat(own.revokeSessionsRoleFor("111122223333").roleArn())
                .isEqualTo("arn:aws:iam::111122223333:role/ir/Revoker");
        assertThat(own.protectedPrincipal("arn:aws:iam::111122223333:role/ir/Revoker")).isTrue();
    }

    @Test
    void badDenyPolicyArnsAndRevokeSessionsRolesFailNamingTheKey() {
        assertThatThrownBy(
                        () ->
                                yaml(
                                        "remediation:\n  actions:\n    deny-layer-download:"
                                                + " {policyArn: \"arn:aws:iam::{account}:role/x\"}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageEndingWith(
                        "mine.yaml: remediation.actions.deny-layer-download.policyArn: 'arn:aws:iam::{account}:role/x'"
                                + " is not an IAM managed policy ARN (arn:PARTITION:iam::{account}:policy/PATH/NAME)");
        assertThatThrownBy(
                        () ->
                                yaml(
                                        "remediation:\n  actions:\n    revoke-sessions: {assumeRole: \"two words\"}\n"))
                .hasMessageEndingWith(
                        "mine.yaml: remediation.actions.revoke-sessions.assumeRole: 'two words'"
                                + " is not an IAM role name");
        assertThatThrownBy(
                        () ->
                                yaml(
                                        "remediation:\n  actions:\n    revoke-sessions:"
                                                + " {assumeRole: \"arn:aws:iam::{account}:policy/x\"}\n"))
                .hasMessageContaining(
                        "remediation.actions.revoke-sessions.assumeRole: 'arn:aws:iam::{account}:policy/x'"
                                + " is not an IAM role ARN");
    }

    @Test
    void accountAdministrationBreakGlassAndLayerWatchRolesAreAlwaysProtectedUnderAnyPath() {
        RemediationConfig c =
                yaml("""
                remediation:
                  breakGlassPrincipals: ["arn:aws:iam::*:role/IncidentResponse"]
                  assumeRole: {roleArn: "arn:aws:iam::{account}:role/LayerWatchRemediation"}
                """)
                        .remediation();
        for (String role :
                List.of(
                        "OrganizationAccountAccessRole",
                        "admin/OrganizationAccountAccessRole",
                        "AWSControlTowerExecution",
                        "stacksets-exec-0123456789abcdef0123456789abcdef",
                        "AWSCloudFormationStackSetExecutionRole",
                        "aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123",
                        "IncidentResponse",
                        "ops/IncidentResponse",
                        "LayerWatchRemediation",
                        "LayerWatchRevokeSessions",
                        "StackSet-layerwatch-member-4f1c2d3e-ForwardRole-1A2B3C4D")) {
            assertThat(c.protectedPrincipal("arn:aws:iam::111122223333:role/" + role))
                    .as(role)
                    .isTrue();
        }
        for (String role :
                List.of(
                        "developer",
                        "IncidentResponseReader",
                        "stacksets-reader",
                        "layerwatch-member")) {
            assertThat(c.protectedPrincipal("arn:aws:iam::111122223333:role/" + role))
                    .as(role)
                    .isFalse();
        }
    }

    @Test
    void sinkPoliciesMayNameTheRemediationFailedFindings() {
        RulesConfig c =
                yaml("sinks:\n  sns:\n    policy:\n      includeRules: [remediation-failed]\n");
        assertThat(c.sinks().sink("sns").policy().includeRules())
                .containsExactly(RemediationConfig.FAILED_RULE_ID);
    }
}
