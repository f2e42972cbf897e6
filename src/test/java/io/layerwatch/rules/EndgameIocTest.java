package io.layerwatch.rules;

import static io.layerwatch.rules.RepositoryExposedTest.EVIL;
import static io.layerwatch.rules.RepositoryExposedTest.MEMBER;
import static io.layerwatch.rules.RepositoryExposedTest.OWN;
import static io.layerwatch.rules.RepositoryExposedTest.PUBLIC;
import static io.layerwatch.testing.CloudTrailRecords.ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RuleSettings;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.config.Severity;
import io.layerwatch.finding.Finding;
import io.layerwatch.testing.CloudTrailRecords;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EndgameIocTest {

    static final String ENDGAME_AGENT =
            "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1 lang/python#3.11.8 Endgame/1.2";

    /**
     * The tool's own default user agent: USER_AGENT_INDICATOR in Endgame's
     * endgame/shared/constants.py.
     */
    static final String ENDGAME_DEFAULT_AGENT = "HotDogsAreSandwiches";

    static final RuleSettings DEFAULTS = RulesConfigLoader.builtIn().rule(EndgameIoc.ID);
    static final RuleSettings TRUSTING =
            RulesConfigLoader.fromYaml(
                            "allowlist:\n  trustedAccounts: ['444455556666']\n", "trusting.yaml")
                    .rule(EndgameIoc.ID);

    final EndgameIoc rule = new EndgameIoc();

    static CloudTrailRecords.Builder setPolicy(String... statements) {
        return RepositoryExposedTest.setPolicy(statements);
    }

    Optional<Finding> evaluate(CloudTrailRecords.Builder record, RuleSettings settings) {
        return rule.evaluate(record.event(), settings);
    }

    @Test
    void endgameSidMatchesCaseInsensitively() {
        String shouting = EVIL.replace("\"Endgame\"", "\"ENDGAME\"");
        Finding f = evaluate(setPolicy(shouting), DEFAULTS).orElseThrow();
        assertThat(f.ruleId()).isEqualTo("endgame-ioc");
        assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(f.key()).isEqualTo(ACCOUNT + ":us-east-1:app");
        assertThat(f.details().get("sids")).isEqualTo(List.of("Endgame"));
        assertThat(f.details()).doesNotContainKeys("userAgentMarkers", "allowCurrentAccountShape");
    }

    @Test
    void fullEndgamePolicyReportsEveryMarker() {
        Finding f = evaluate(setPolicy(OWN, EVIL).userAgent(ENDGAME_AGENT), DEFAULTS).orElseThrow();
        assertThat(f.details().get("userAgentMarkers")).isEqualTo(List.of("endgame"));
        assertThat(f.details().get("sids")).isEqualTo(List.of("Endgame"));
        assertThat(f.details())
                .containsEntry("allowCurrentAccountShape", true)
                .containsKey("exposingStatements");
        assertThat((List<?>) f.details().get("markers")).hasSize(3);
        assertThat(f.title()).contains("SetRepositoryPolicy").contains("repository app");
    }

    @Test
    void allowCurrentAccountBesideARenamedExposingStatement() {
        String renamed = EVIL.replace("\"Endgame\"", "\"Backup\"");
        Finding f = evaluate(setPolicy(OWN, renamed), DEFAULTS).orElseThrow();
        assertThat(f.details())
                .containsEntry("allowCurrentAccountShape", true)
                .doesNotContainKey("sids");
        assertThat(
                        evaluate(
                                setPolicy(
                                        OWN.replace("AllowCurrentAccount", "allowcurrentaccount"),
                                        PUBLIC),
                                DEFAULTS))
                .isPresent();
    }

    @Test
    void allowCurrentAccountAloneOrBesideHarmlessStatementsIsNoIndicator() {
        assertThat(evaluate(setPolicy(OWN), DEFAULTS)).isEmpty();
        assertThat(
                        evaluate(
                                setPolicy(
                                        OWN,
                                        "{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"ecr:*\"}"),
                                DEFAULTS))
                .isEmpty();
        assertThat(evaluate(setPolicy(OWN, MEMBER), TRUSTING)).isEmpty();
        assertThat(evaluate(setPolicy(OWN, MEMBER), DEFAULTS)).isPresent();
    }

    @Test
    void exposingPolicyWithoutMarkersIsLeftToRepositoryExposed() {
        assertThat(evaluate(setPolicy(PUBLIC), DEFAULTS)).isEmpty();
        assertThat(evaluate(setPolicy(EVIL.replace("Endgame", "Partner")), DEFAULTS)).isEmpty();
    }

    @Test
    void userAgentMarkerOnAnyWriteCall() {
        Finding f =
                evaluate(
                                record("CreateRepository")
                                        .repositoryName("loot")
                                        .userAgent(ENDGAME_AGENT),
                                DEFAULTS)
                        .orElseThrow();
        assertThat(f.key()).isEqualTo(ACCOUNT + ":us-east-1:loot");
        assertThat(f.details().get("userAgentMarkers")).isEqualTo(List.of("endgame"));
        Finding registry =
                evaluate(record("PutRegistryPolicy").userAgent(ENDGAME_AGENT), DEFAULTS)
                        .orElseThrow();
        assertThat(registry.key()).isEqualTo(ACCOUNT + ":us-east-1");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                ENDGAME_DEFAULT_AGENT,
                "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 lang/python#3.11.8 hotdogsareSANDWICHES/0.1 cfg/retry-mode#legacy"
            })
    void endgamesDefaultUserAgentIsAMarkerByDefault(String agent) {
        // A policy that is no indicator by itself: the user agent alone raises the finding.
        Finding f = evaluate(setPolicy(OWN).userAgent(agent), DEFAULTS).orElseThrow();
        assertThat(f.ruleId()).isEqualTo("endgame-ioc");
        assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(f.details().get("userAgentMarkers")).isEqualTo(List.of(ENDGAME_DEFAULT_AGENT));
        assertThat(f.details().get("markers"))
                .isEqualTo(List.of("user agent contains 'HotDogsAreSandwiches'"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                CloudTrailRecords.USER_AGENT,
                "console.amazonaws.com",
                "AWS Internal",
                "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1 lang/python#3.11.8 cfg/retry-mode#legacy Botocore/1.34.0"
            })
    void ordinaryUserAgentsAreNoMarker(String agent) {
        assertThat(evaluate(setPolicy(OWN).userAgent(agent), DEFAULTS)).isEmpty();
    }

    @Test
    void failedAttemptIsStillAnIndicator() {
        Finding f =
                evaluate(setPolicy(OWN, EVIL).errorCode("AccessDenied"), DEFAULTS).orElseThrow();
        assertThat(f.details()).containsEntry("errorCode", "AccessDenied");
        assertThat(f.description()).contains("failed: AccessDenied");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "DescribeRepositories",
                "GetRepositoryPolicy",
                "ListImages",
                "BatchGetImage",
                "GetAuthorizationToken"
            })
    void readCallsAreIgnored(String eventName) {
        assertThat(
                        evaluate(
                                setPolicy(OWN, EVIL).eventName(eventName).userAgent(ENDGAME_AGENT),
                                DEFAULTS))
                .isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "SetRepositoryPolicy",
                "PutRegistryPolicy",
                "PutImage",
                "DeleteRepository",
                "CreateRepository",
                "TagResource",
                "UntagResource",
                "ReplicateImage",
                "StartImageScan",
                "InitiateLayerUpload",
                "UploadLayerPart",
                "CompleteLayerUpload",
                "BatchDeleteImage"
            })
    void writeCalls(String eventName) {
        assertThat(EndgameIoc.isWrite(record(eventName).event())).isTrue();
        assertThat(EndgameIoc.isWrite(record(eventName).eventSource("s3.amazonaws.com").event()))
                .isFalse();
    }

    @Test
    void markersAreConfigurable() {
        RuleSettings s =
                RulesConfigLoader.fromYaml(
                                "rules:\n  endgame-ioc:\n    sids: [Backdoor]\n"
                                        + "    userAgentMarkers: [EvilKit]\n",
                                "custom.yaml")
                        .rule(EndgameIoc.ID);
        assertThat(evaluate(setPolicy(EVIL), s)).isEmpty();
        assertThat(evaluate(setPolicy(OWN).userAgent(ENDGAME_AGENT), s)).isEmpty();
        assertThat(
                        evaluate(setPolicy(EVIL.replace("Endgame", "backdoor")), s)
                                .orElseThrow()
                                .details()
                                .get("sids"))
                .isEqualTo(List.of("Backdoor"));
        assertThat(evaluate(record("PutImage").repositoryName("app").userAgent("evilkit/0.1"), s))
                .isPresent();
    }

    @Test
    void malformedPolicyTextDoesNotBreakTheRule() {
        String broken = "{\"Statement\":[{\"Sid\":\"Endgame\"";
        assertThat(
                        evaluate(
                                record("SetRepositoryPolicy")
                                        .repositoryName("app")
                                        .policyText(broken),
                                DEFAULTS))
                .isEmpty();
        assertThat(
                        evaluate(
                                record("SetRepositoryPolicy")
                                        .repositoryName("app")
                                        .policyText(broken)
                                        .userAgent(ENDGAME_AGENT),
                                DEFAULTS))
                .isPresent();
        assertThat(evaluate(record("PutImage").repositoryName("app").userAgent(null), DEFAULTS))
                .isEmpty();
    }

    @Test
    void ordinaryCallsAreIgnored() {
        assertThat(
                        evaluate(
                                setPolicy(OWN, MEMBER).userAgent(CloudTrailRecords.USER_AGENT),
                                TRUSTING))
                .isEmpty();
        assertThat(evaluate(record("PutImage").repositoryName("app"), DEFAULTS)).isEmpty();
    }
}
