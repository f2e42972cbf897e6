package io.layerwatch.rules;

import static io.layerwatch.testing.CloudTrailRecords.ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.FOREIGN_ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.TRUSTED_ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.policyDocument;
import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.config.RuleSettings;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.config.Severity;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.util.Json;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RepositoryExposedTest {

    static final String PUBLIC =
            "{\"Sid\":\"allow public pull\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:*\"}";
    static final String OWN =
            "{\"Sid\":\"AllowCurrentAccount\",\"Effect\":\"Allow\","
                    + "\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},\"Action\":\"ecr:*\"}";
    static final String EVIL =
            "{\"Sid\":\"Endgame\",\"Effect\":\"Allow\","
                    + "\"Principal\":{\"AWS\":\"arn:aws:iam::999988887777:user/evil\"},\"Action\":\"ecr:*\"}";
    static final String MEMBER =
            "{\"Sid\":\"member\",\"Effect\":\"Allow\","
                    + "\"Principal\":{\"AWS\":\"arn:aws:iam::444455556666:role/deploy\"},\"Action\":\"ecr:BatchGetImage\"}";
    static final String CODEBUILD =
            "{\"Sid\":\"CodeBuildAccess\",\"Effect\":\"Allow\","
                    + "\"Principal\":{\"Service\":\"codebuild.amazonaws.com\"},\"Action\":[\"ecr:BatchGetImage\"]%s}";
    static final String ORG_WIDE =
            "{\"Sid\":\"org\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:BatchGetImage\","
                    + "\"Condition\":{\"StringEquals\":{\"aws:PrincipalOrgID\":\"%s\"}}}";

    static final RuleSettings DEFAULTS = RulesConfigLoader.builtIn().rule(RepositoryExposed.ID);
    static final RuleSettings TRUSTING =
            RulesConfigLoader.fromYaml(
                            "allowlist:\n  trustedAccounts: ['444455556666']\n  organizationId: o-a1b2c3d4e5\n",
                            "trusting.yaml")
                    .rule(RepositoryExposed.ID);

    final RepositoryExposed rule = new RepositoryExposed();

    static CloudTrailRecords.Builder setPolicy(String... statements) {
        return record("SetRepositoryPolicy")
                .repositoryName("app")
                .policyText(policyDocument(statements));
    }

    Optional<Finding> evaluate(CloudTrailRecords.Builder record, RuleSettings settings) {
        return rule.evaluate(record.event(), settings);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> statements(Finding f) {
        return (List<Map<String, Object>>) f.details().get("statements");
    }

    @Test
    void publicPolicyIsCritical() {
        Finding f = evaluate(setPolicy(OWN, PUBLIC), DEFAULTS).orElseThrow();
        assertThat(f.ruleId()).isEqualTo("repository-exposed");
        assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(f.key()).isEqualTo(ACCOUNT + ":us-east-1:app");
        assertThat(f.repository().name()).isEqualTo("app");
        assertThat(f.title()).contains("repository app").contains("publicly").contains("Admin");
        assertThat(f.description())
                .contains("arn:aws:iam::111122223333:role/Admin")
                .contains("allow public pull");
        assertThat(f.details())
                .containsEntry("policyScope", "repository")
                .containsEntry("exposure", "PUBLIC");
        assertThat(statements(f))
                .singleElement()
                .satisfies(
                        s -> {
                            assertThat(s)
                                    .containsEntry("index", 1)
                                    .containsEntry("sid", "allow public pull")
                                    .containsEntry("kind", "PUBLIC");
                            assertThat(s.get("statement").toString())
                                    .contains("\"Principal\":\"*\"");
                            assertThat(s.get("reason")).asString().isNotBlank();
                        });
    }

    @Test
    void panthersDataLakeRecordOfAPublicPolicyIsCritical() throws IOException {
        // Panther's own test case (samples/SOURCES.md): eventTime "2020-11-20 06:19:05.000" and p_*
        // fields, as data-lake exports write records.
        JsonNode peerCase;
        try (InputStream in = getClass().getResourceAsStream("/samples/peers/panther.json")) {
            peerCase =
                    Json.elements(Json.MAPPER.readTree(in)).stream()
                            .filter(c -> c.path("test_name").asText().equals("ECR Made Public"))
                            .findFirst()
                            .orElseThrow();
        }
        EcrEvent e = CloudTrailRecords.decode(peerCase.get("event").toString());

        Finding f = rule.evaluate(e, DEFAULTS).orElseThrow();
        assertThat(f.ruleId()).isEqualTo("repository-exposed");
        assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(f.details()).containsEntry("exposure", "PUBLIC");
        assertThat(f.repository().name()).isEqualTo("community");
        assertThat(f.firstEventTime()).isEqualTo(Instant.parse("2020-11-20T06:19:05Z"));
    }

    @Test
    void endgamePolicyIsCrossAccount() {
        Finding f = evaluate(setPolicy(OWN, EVIL), DEFAULTS).orElseThrow();
        assertThat(f.severity()).isEqualTo(Severity.HIGH);
        assertThat(f.details().get("foreignAccounts")).isEqualTo(List.of(FOREIGN_ACCOUNT));
        assertThat(f.title()).contains(FOREIGN_ACCOUNT);
        assertThat(statements(f)).extracting(s -> s.get("sid")).containsExactly("Endgame");
    }

    @Test
    void unrestrictedServicePrincipalIsMedium() {
        Finding f = evaluate(setPolicy(String.format(CODEBUILD, "")), DEFAULTS).orElseThrow();
        assertThat(f.severity()).isEqualTo(Severity.MEDIUM);
        assertThat(f.details()).containsEntry("exposure", "SERVICE_UNRESTRICTED");
    }

    @Test
    void servicePrincipalPinnedToOwnAccountIsFine() {
        String pinned =
                String.format(
                        CODEBUILD,
                        ",\"Condition\":{\"StringEquals\":{\"aws:SourceAccount\":\""
                                + ACCOUNT
                                + "\"}}");
        assertThat(evaluate(setPolicy(pinned), DEFAULTS)).isEmpty();
    }

    @Test
    void worstStatementDecidesSeverity() {
        Finding f =
                evaluate(setPolicy(String.format(CODEBUILD, ""), EVIL, PUBLIC), DEFAULTS)
                        .orElseThrow();
        assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(statements(f))
                .extracting(s -> s.get("kind"))
                .containsExactly("SERVICE_UNRESTRICTED", "CROSS_ACCOUNT", "PUBLIC");
    }

    @Test
    void severitiesAreConfigurable() {
        RuleSettings s =
                RulesConfigLoader.fromYaml(
                                "rules:\n  repository-exposed:\n    crossAccountSeverity: CRITICAL\n"
                                        + "    servicePrincipalSeverity: LOW\n",
                                "severities.yaml")
                        .rule(RepositoryExposed.ID);
        assertThat(evaluate(setPolicy(EVIL), s).orElseThrow().severity())
                .isEqualTo(Severity.CRITICAL);
        assertThat(evaluate(setPolicy(String.format(CODEBUILD, "")), s).orElseThrow().severity())
                .isEqualTo(Severity.LOW);
    }

    @Test
    void registryPolicyIsKeyedByRegistry() {
        String replication =
                "{\"Sid\":\"ReplicationAccess\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::"
                        + FOREIGN_ACCOUNT
                        + ":root\"},\"Action\":[\"ecr:CreateRepository\",\"ecr:ReplicateImage\"],"
                        + "\"Resource\":\"arn:aws:ecr:us-east-1:"
                        + ACCOUNT
                        + ":repository/*\"}";
        Finding f =
                evaluate(
                                record("PutRegistryPolicy").policyText(policyDocument(replication)),
                                DEFAULTS)
                        .orElseThrow();
        assertThat(f.key()).isEqualTo(ACCOUNT + ":us-east-1");
        assertThat(f.repository()).isNull();
        assertThat(f.details()).containsEntry("policyScope", "registry");
        assertThat(f.title()).contains("registry " + ACCOUNT + ":us-east-1");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"AccessDenied", "RepositoryNotFoundException", "InvalidParameterException"})
    void failedCallIsIgnored(String errorCode) {
        assertThat(evaluate(setPolicy(PUBLIC).errorCode(errorCode), DEFAULTS)).isEmpty();
    }

    @Test
    void otherCallsAreIgnored() {
        assertThat(evaluate(setPolicy(PUBLIC).eventName("GetRepositoryPolicy"), DEFAULTS))
                .isEmpty();
        assertThat(evaluate(setPolicy(PUBLIC).eventSource("ecr-public.amazonaws.com"), DEFAULTS))
                .isEmpty();
    }

    @Test
    void harmlessPoliciesAreIgnored() {
        assertThat(evaluate(setPolicy(OWN), DEFAULTS)).isEmpty();
        assertThat(
                        evaluate(
                                setPolicy(
                                        "{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"ecr:DeleteRepository\"}"),
                                DEFAULTS))
                .isEmpty();
    }

    @Test
    void unparseableOrMissingPolicyReportsNothing() {
        assertThat(
                        evaluate(
                                record("SetRepositoryPolicy")
                                        .repositoryName("app")
                                        .policyText("{not json"),
                                DEFAULTS))
                .isEmpty();
        assertThat(evaluate(record("SetRepositoryPolicy").repositoryName("app"), DEFAULTS))
                .isEmpty();
    }

    @Test
    void trustedAccountsAreHonoured() {
        assertThat(evaluate(setPolicy(MEMBER), DEFAULTS)).isPresent();
        assertThat(evaluate(setPolicy(MEMBER), TRUSTING)).isEmpty();
        assertThat(
                        evaluate(setPolicy(MEMBER, EVIL), TRUSTING)
                                .orElseThrow()
                                .details()
                                .get("foreignAccounts"))
                .isEqualTo(List.of(FOREIGN_ACCOUNT));
    }

    @Test
    void theTrustedOrganizationIsHonoured() {
        String orgWide = String.format(ORG_WIDE, "o-a1b2c3d4e5");
        assertThat(evaluate(setPolicy(orgWide), DEFAULTS).orElseThrow().severity())
                .isEqualTo(Severity.CRITICAL);
        assertThat(evaluate(setPolicy(orgWide), TRUSTING)).isEmpty();
        assertThat(evaluate(setPolicy(String.format(ORG_WIDE, "o-*")), TRUSTING)).isPresent();
    }

    @Test
    void ruleOwnAllowlistIsHonoured() {
        RuleSettings s =
                RulesConfigLoader.fromYaml(
                                "rules:\n  repository-exposed:\n    allowlist:\n"
                                        + "      trustedAccounts: ['"
                                        + TRUSTED_ACCOUNT
                                        + "']\n",
                                "rule.yaml")
                        .rule(RepositoryExposed.ID);
        assertThat(evaluate(setPolicy(MEMBER), s)).isEmpty();
    }

    static Stream<Arguments> callers() {
        return Stream.of(
                Arguments.of(caller(b -> b), "arn:aws:iam::111122223333:role/Admin"),
                Arguments.of(
                        caller(b -> b.iamUser(ACCOUNT, "bob")),
                        "arn:aws:iam::111122223333:user/bob"),
                Arguments.of(caller(b -> b.root(ACCOUNT)), "arn:aws:iam::111122223333:root"),
                Arguments.of(
                        caller(b -> b.crossAccount(TRUSTED_ACCOUNT)),
                        "arn:aws:iam::444455556666:role/Operator"));
    }

    static UnaryOperator<CloudTrailRecords.Builder> caller(
            UnaryOperator<CloudTrailRecords.Builder> f) {
        return f;
    }

    @ParameterizedTest
    @MethodSource("callers")
    void findingNamesTheCaller(UnaryOperator<CloudTrailRecords.Builder> caller, String arn) {
        EcrEvent e = caller.apply(setPolicy(PUBLIC)).event();
        Finding f = rule.evaluate(e, DEFAULTS).orElseThrow();
        assertThat(f.principal().arn()).isEqualTo(arn);
        assertThat(f.accountId()).isEqualTo(ACCOUNT);
        assertThat(f.eventIds()).containsExactly(e.eventId());
    }
}
