package io.layerwatch.policies;

import static io.layerwatch.testing.CloudTrailRecords.policyDocument;
import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.config.ConfigException;
import io.layerwatch.config.Glob;
import io.layerwatch.config.RuleSettings;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.config.Severity;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.policies.IamPolicyChecks.Kind;
import io.layerwatch.policies.PreventivePolicies.Result;
import io.layerwatch.rules.RepositoryExposed;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.util.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

public class PreventivePoliciesTest {

    static final String ORG = "o-a1b2c3d4e5";
    static final String VPCE = "vpce-0a1b2c3d4e5f60718";
    public static final String RULES =
            "allowlist:\n"
                    + "  principals:\n"
                    + "    - arn:aws:iam::*:role/ci-*\n"
                    + "    - arn:aws:sts::111122223333:assumed-role/deploy/*\n"
                    + "    - arn:aws:sts::111122223333:assumed-role/Admin/alice\n"
                    + "  trustedVpcEndpoints: ["
                    + VPCE
                    + "]\n"
                    + "  trustedCidrs: [10.0.0.0/8, 192.0.2.7]\n"
                    + "  trustedAccounts: ['444455556666']\n"
                    + "  organizationId: "
                    + ORG
                    + "\n";

    static RulesConfig config(String yaml) {
        return RulesConfigLoader.fromYaml(yaml, "mine.yaml");
    }

    static Result generate(String yaml, String... breakGlass) {
        return PreventivePolicies.generate(
                config(yaml).globalAllowlist(), "mine.yaml", List.of(breakGlass));
    }

    static final Result RESULT = generate(RULES, "arn:aws:iam::111122223333:role/break-glass/*");

    @Test
    void writesTheFivePoliciesInOrder() {
        assertThat(RESULT.policies())
                .extracting(PreventivePolicies.Policy::file)
                .containsExactly(
                        "scp-ecr-layer-download.json",
                        "vpce-ecr-api.json",
                        "vpce-ecr-dkr.json",
                        "vpce-s3-ecr-layers.json",
                        "repository-policy-baseline.json");
        assertThat(PreventivePolicies.files())
                .isEqualTo(
                        RESULT.policies().stream().map(PreventivePolicies.Policy::file).toList());
        assertThat(RESULT.policies()).allSatisfy(p -> assertThat(p.summary()).isNotBlank());
    }

    @Test
    void theScpDeniesLayerDownloadsToAllButTheAllowedPrincipals() {
        PreventivePolicies.Policy p = RESULT.policy(PreventivePolicies.SCP);
        JsonNode doc = IamPolicyChecks.valid(p.text(), Kind.SERVICE_CONTROL);
        assertThat(p.text()).doesNotContain("\n").doesNotContain(" ");
        assertThat(p.text().length()).isLessThanOrEqualTo(PreventivePolicies.SCP_MAX_CHARS);
        assertThat(p.text().getBytes(StandardCharsets.UTF_8).length).isEqualTo(p.text().length());
        JsonNode s = doc.get("Statement").get(0);
        assertThat(s.get("Effect").asText()).isEqualTo("Deny");
        assertThat(strings(s.get("Action")))
                .containsExactly("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer");
        assertThat(s.get("Resource").asText()).isEqualTo("*");
        assertThat(strings(s.at("/Condition/ArnNotLike/aws:PrincipalArn")))
                .containsExactly(
                        "arn:aws:iam::*:role/ci-*",
                        "arn:aws:iam::111122223333:role/deploy",
                        "arn:aws:iam::111122223333:role/*/deploy",
                        "arn:aws:iam::111122223333:role/break-glass/*");
        assertThat(RESULT.warnings())
                .singleElement()
                .asString()
                .startsWith(
                        "allowlist.principals[2] 'arn:aws:sts::111122223333:assumed-role/Admin/alice': names particular sessions");
        // Calls an AWS service makes with the principal's credentials (forward access sessions) are
        // not denied.
        assertThat(s.at("/Condition/BoolIfExists").toString())
                .isEqualTo("{\"aws:ViaAWSService\":\"false\"}");
    }

    @Test
    void observedPullersJoinTheScpAfterTheAllowlist() {
        Result r =
                PreventivePolicies.generate(
                        config(RULES).globalAllowlist(),
                        "mine.yaml",
                        List.of(),
                        List.of(
                                "arn:aws:iam::111122223333:role/service-role/ecs-exec",
                                "arn:aws:iam::*:role/ci-*"));
        JsonNode s =
                IamPolicyChecks.valid(r.policy(PreventivePolicies.SCP).text(), Kind.SERVICE_CONTROL)
                        .at("/Statement/0");
        assertThat(strings(s.at("/Condition/ArnNotLike/aws:PrincipalArn")))
                .containsExactly(
                        "arn:aws:iam::*:role/ci-*",
                        "arn:aws:iam::111122223333:role/deploy",
                        "arn:aws:iam::111122223333:role/*/deploy",
                        "arn:aws:iam::111122223333:role/service-role/ecs-exec");
        assertThat(r.policy(PreventivePolicies.SCP).summary())
                .contains("(1 observed puller(s))")
                .contains("attach it to a test OU first");
        // Not the baseline's trusted principals: pullers are not exempt from the network
        // restriction.
        JsonNode deny =
                Json.tree(r.policy(PreventivePolicies.REPOSITORY_BASELINE).text())
                        .at("/Statement/1");
        assertThat(strings(deny.at("/Condition/ArnNotLike/aws:PrincipalArn")))
                .doesNotContain("arn:aws:iam::111122223333:role/service-role/ecs-exec");
    }

    @Test
    void everySidIsLayerWatchPrefixedForMerging() {
        for (PreventivePolicies.Policy p : RESULT.policies()) {
            for (JsonNode s : Json.tree(p.text()).get("Statement")) {
                assertThat(s.get("Sid").asText()).as(p.file()).startsWith("LayerWatch");
            }
        }
        assertThat(RESULT.policy(PreventivePolicies.REPOSITORY_BASELINE).summary())
                .contains(
                        "merge its statements into each repository's policy (SetRepositoryPolicy replaces the whole policy)");
        assertThat(RESULT.policy(PreventivePolicies.VPCE_S3_ECR_LAYERS).summary())
                .contains(
                        "merge it into the endpoint's policy: alone it blocks other AWS-owned buckets");
    }

    @Test
    void theEcrEndpointPoliciesAdmitTheOrganizationOnly() {
        for (String file :
                List.of(PreventivePolicies.VPCE_ECR_API, PreventivePolicies.VPCE_ECR_DKR)) {
            JsonNode doc = IamPolicyChecks.valid(RESULT.policy(file).text(), Kind.VPC_ENDPOINT);
            assertThat(doc.get("Statement")).hasSize(1);
            JsonNode s = doc.get("Statement").get(0);
            assertThat(s.get("Effect").asText()).isEqualTo("Allow");
            assertThat(s.get("Principal").asText()).isEqualTo("*");
            assertThat(s.get("Action").asText()).isEqualTo("ecr:*");
            assertThat(s.get("Condition").toString())
                    .isEqualTo("{\"StringEquals\":{\"aws:PrincipalOrgID\":\"" + ORG + "\"}}");
        }
    }

    @Test
    void theS3EndpointPolicyReachesTheEcrLayerBuckets() {
        JsonNode doc =
                IamPolicyChecks.valid(
                        RESULT.policy(PreventivePolicies.VPCE_S3_ECR_LAYERS).text(),
                        Kind.VPC_ENDPOINT);
        JsonNode layers = doc.get("Statement").get(0);
        assertThat(layers.get("Action").asText()).isEqualTo("s3:GetObject");
        assertThat(layers.get("Resource").asText())
                .isEqualTo("arn:aws:s3:::prod-*-starport-layer-bucket/*");
        assertThat(layers.has("Condition"))
                .as("layer URLs are presigned by ECR: no org condition can apply")
                .isFalse();
        JsonNode own = doc.get("Statement").get(1);
        assertThat(own.at("/Condition/StringEquals/aws:PrincipalOrgID").asText()).isEqualTo(ORG);
        assertThat(own.at("/Condition/StringEquals/aws:ResourceOrgID").asText()).isEqualTo(ORG);
    }

    @Test
    void theRepositoryBaselineLetsTheOrganizationPullThroughTrustedNetworksOnly() {
        JsonNode doc =
                IamPolicyChecks.valid(
                        RESULT.policy(PreventivePolicies.REPOSITORY_BASELINE).text(),
                        Kind.ECR_REPOSITORY);
        JsonNode allow = doc.get("Statement").get(0);
        assertThat(allow.get("Effect").asText()).isEqualTo("Allow");
        assertThat(strings(allow.get("Action")))
                .containsExactlyElementsOf(PreventivePolicies.PULL_ACTIONS);
        assertThat(allow.at("/Condition/StringEquals/aws:PrincipalOrgID").asText()).isEqualTo(ORG);
        JsonNode deny = doc.get("Statement").get(1);
        assertThat(deny.get("Effect").asText()).isEqualTo("Deny");
        assertThat(strings(deny.at("/Condition/StringNotEquals/aws:SourceVpce")))
                .containsExactly(VPCE);
        // Private addresses reach ECR only through an endpoint, where aws:VpcSourceIp (not
        // aws:SourceIp) has them.
        assertThat(strings(deny.at("/Condition/NotIpAddress/aws:SourceIp")))
                .containsExactly("192.0.2.7/32");
        assertThat(strings(deny.at("/Condition/NotIpAddress/aws:VpcSourceIp")))
                .containsExactly("10.0.0.0/8");
        assertThat(strings(deny.at("/Condition/ArnNotLike/aws:PrincipalArn")))
                .contains(
                        "arn:aws:iam::*:role/ci-*", "arn:aws:iam::111122223333:role/break-glass/*");
        assertThat(deny.at("/Condition/BoolIfExists/aws:PrincipalIsAWSService").asText())
                .isEqualTo("false");
        assertThat(deny.at("/Condition/BoolIfExists/aws:ViaAWSService").asText())
                .isEqualTo("false");
    }

    @Test
    void privateRangesAreTheOnesInsideRfc1918SharedOrUniqueLocalSpace() {
        for (String c :
                List.of(
                        "10.0.0.0/8",
                        "10.1.2.0/24",
                        "172.16.0.0/12",
                        "172.31.255.7/32",
                        "192.168.1.0/24",
                        "100.64.0.0/10",
                        "fd12:3456::/48")) {
            assertThat(PreventivePolicies.isPrivate(c)).as(c).isTrue();
        }
        for (String c :
                List.of(
                        "192.0.2.7/32",
                        "172.32.0.0/16",
                        "8.0.0.0/6",
                        "0.0.0.0/0",
                        "11.0.0.0/8",
                        "2001:db8::/32",
                        "100.128.0.0/16")) {
            assertThat(PreventivePolicies.isPrivate(c)).as(c).isFalse();
        }
        String onlyPrivate = RULES.replace("[10.0.0.0/8, 192.0.2.7]", "[10.0.0.0/8]");
        JsonNode deny =
                Json.tree(
                                generate(onlyPrivate)
                                        .policy(PreventivePolicies.REPOSITORY_BASELINE)
                                        .text())
                        .at("/Statement/1/Condition/NotIpAddress");
        assertThat(deny.has("aws:SourceIp")).isFalse();
        assertThat(strings(deny.get("aws:VpcSourceIp"))).containsExactly("10.0.0.0/8");
    }

    // ---- fed back to the detection
    // ------------------------------------------------------------------------

    static Optional<Finding> repositoryExposed(String policyText, RulesConfig config) {
        EcrEvent e =
                record("SetRepositoryPolicy").repositoryName("app").policyText(policyText).event();
        assertThat(e.policyText()).isEqualTo(policyText);
        RuleSettings settings = config.rule(RepositoryExposed.ID);
        return new RepositoryExposed().evaluate(e, settings);
    }

    @Test
    void theGeneratedPoliciesAreNotFlaggedByRepositoryExposed() {
        RulesConfig config = config(RULES);
        for (String file :
                List.of(
                        PreventivePolicies.REPOSITORY_BASELINE,
                        PreventivePolicies.VPCE_ECR_API,
                        PreventivePolicies.VPCE_ECR_DKR,
                        PreventivePolicies.SCP)) {
            assertThat(repositoryExposed(RESULT.policy(file).text(), config)).as(file).isEmpty();
        }
        // As a registry policy too.
        EcrEvent registry =
                record("PutRegistryPolicy")
                        .policyText(RESULT.policy(PreventivePolicies.REPOSITORY_BASELINE).text())
                        .event();
        assertThat(new RepositoryExposed().evaluate(registry, config.rule(RepositoryExposed.ID)))
                .isEmpty();
    }

    @Test
    void aPublicPolicyIsFlaggedAsTheControl() {
        RulesConfig config = config(RULES);
        String open =
                policyDocument(
                        "{\"Sid\":\"public\",\"Effect\":\"Allow\",\"Principal\":\"*\","
                                + "\"Action\":[\"ecr:BatchGetImage\",\"ecr:GetDownloadUrlForLayer\"]}");
        Finding f = repositoryExposed(open, config).orElseThrow();
        assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
        // The baseline's own pull statement without its organization condition is public as well.
        String loosened =
                RESULT.policy(PreventivePolicies.REPOSITORY_BASELINE)
                        .text()
                        .replace(
                                "\"aws:PrincipalOrgID\" : \"" + ORG + "\"",
                                "\"aws:PrincipalOrgID\" : \"o-zzzzzzzzzz\"");
        assertThat(loosened)
                .isNotEqualTo(RESULT.policy(PreventivePolicies.REPOSITORY_BASELINE).text());
        assertThat(repositoryExposed(loosened, config)).isPresent();
    }

    // ---- inputs
    // ---------------------------------------------------------------------------------------------

    @Test
    void aMissingOrganizationIdIsAOneLineErrorNamingTheKey() {
        String rules = RULES.replace("  organizationId: " + ORG + "\n", "");
        assertThatThrownBy(() -> generate(rules))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("mine.yaml: allowlist.organizationId: not set;")
                .hasMessageNotContaining("\n");
    }

    @Test
    void noUsablePrincipalIsAnErrorNamingTheKey() {
        String none =
                RULES.replaceAll(
                        "(?s)  principals:.*?  trustedVpcEndpoints", "  trustedVpcEndpoints");
        assertThatThrownBy(() -> generate(none))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(
                        "mine.yaml: allowlist.principals: no IAM role or user ARN patterns")
                .hasMessageNotContaining("\n");
        String sessionOnly =
                RULES.replaceAll(
                        "(?s)  principals:.*?  trustedVpcEndpoints",
                        "  principals: ['arn:aws:sts::111122223333:assumed-role/Admin/alice']\n  trustedVpcEndpoints");
        assertThatThrownBy(() -> generate(sessionOnly))
                .hasMessageContaining("allowlist.principals");
        // A break-glass role alone is enough.
        assertThat(generate(none, "arn:aws:iam::111122223333:role/break-glass").policies())
                .hasSize(5);
    }

    @Test
    void noTrustedNetworkIsAnErrorNamingTheKey() {
        String rules =
                RULES.replace("  trustedVpcEndpoints: [" + VPCE + "]\n", "")
                        .replace("  trustedCidrs: [10.0.0.0/8, 192.0.2.7]\n", "");
        assertThatThrownBy(() -> generate(rules))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("mine.yaml: allowlist.trustedVpcEndpoints: not set;")
                .hasMessageNotContaining("\n");
        String cidrsOnly = RULES.replace("  trustedVpcEndpoints: [" + VPCE + "]\n", "");
        JsonNode deny =
                IamPolicyChecks.valid(
                                generate(cidrsOnly)
                                        .policy(PreventivePolicies.REPOSITORY_BASELINE)
                                        .text(),
                                Kind.ECR_REPOSITORY)
                        .get("Statement")
                        .get(1);
        assertThat(deny.at("/Condition/StringNotEquals").isMissingNode()).isTrue();
        String badId = RULES.replace(VPCE, "vpc-123");
        assertThatThrownBy(() -> generate(badId))
                .hasMessage(
                        "mine.yaml: allowlist.trustedVpcEndpoints: 'vpc-123' is not a VPC endpoint id (vpce-...)");
    }

    @Test
    void anScpOverItsSizeLimitIsAnErrorNamingThePrincipals() {
        StringBuilder rules = new StringBuilder("allowlist:\n  principals:\n");
        for (int i = 0; i < 120; i++) {
            rules.append("    - arn:aws:iam::1111222233")
                    .append(String.format("%02d", i % 100))
                    .append(":role/a-rather-long-role-name-for-pulling-")
                    .append(i)
                    .append('\n');
        }
        rules.append("  trustedVpcEndpoints: [")
                .append(VPCE)
                .append("]\n  organizationId: ")
                .append(ORG)
                .append('\n');
        assertThatThrownBy(() -> generate(rules.toString()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(
                        "mine.yaml: allowlist.principals: scp-ecr-layer-download.json would be ")
                .hasMessageContaining("over its limit of 5120");
    }

    @Test
    void aBreakGlassArnMustBeAnIamRoleOrUser() {
        assertThatThrownBy(() -> generate(RULES, "break-glass"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("--break-glass break-glass: not an IAM role or user ARN");
    }

    @Test
    void principalGlobsBecomePrincipalArnPatterns() {
        record Case(String glob, List<String> patterns, String warning) {}
        List<Case> cases =
                List.of(
                        new Case(
                                "arn:aws:iam::123456789012:role/ci",
                                List.of("arn:aws:iam::123456789012:role/ci"),
                                null),
                        new Case(
                                "arn:aws:iam::*:user/bot-*",
                                List.of("arn:aws:iam::*:user/bot-*"),
                                null),
                        new Case(
                                "arn:aws:iam::123456789012:root",
                                List.of("arn:aws:iam::123456789012:root"),
                                null),
                        new Case(
                                "arn:aws-us-gov:sts::123456789012:assumed-role/ci-*",
                                List.of(
                                        "arn:aws-us-gov:iam::123456789012:role/ci-*",
                                        "arn:aws-us-gov:iam::123456789012:role/*/ci-*"),
                                null),
                        new Case(
                                "arn:aws:sts::*:assumed-role/deploy/*",
                                List.of(
                                        "arn:aws:iam::*:role/deploy",
                                        "arn:aws:iam::*:role/*/deploy"),
                                null),
                        new Case(
                                "arn:aws:sts::123456789012:assumed-role/deploy/bob",
                                List.of(),
                                "names particular sessions"),
                        new Case(
                                "arn:aws:sts::123456789012:assumed-role/deploy",
                                List.of(),
                                "matches no session ARN"),
                        new Case(
                                "arn:aws:sts::123456789012:federated-user/bob",
                                List.of(),
                                "only assumed-role session ARNs"),
                        new Case(
                                "arn:aws:iam::123456789012:group/admins",
                                List.of(),
                                "names no role or user"),
                        new Case(
                                "*ci*",
                                List.of(),
                                "not an IAM role, user or role-session ARN pattern"));
        for (Case c : cases) {
            PrincipalPatterns.Result r = PrincipalPatterns.of(List.of(new Glob(c.glob())), "k");
            assertThat(r.patterns()).as(c.glob()).isEqualTo(c.patterns());
            if (c.warning() == null) {
                assertThat(r.warnings()).as(c.glob()).isEmpty();
            } else {
                assertThat(r.warnings())
                        .as(c.glob())
                        .singleElement()
                        .asString()
                        .startsWith("k[0] '" + c.glob() + "': " + c.warning())
                        .endsWith("left out of the policies");
            }
        }
    }

    @Test
    void everyPolicyIsValidIamJson() {
        List<String> checked = new ArrayList<>();
        IamPolicyChecks.valid(RESULT.policy(PreventivePolicies.SCP).text(), Kind.SERVICE_CONTROL);
        for (String file :
                List.of(
                        PreventivePolicies.VPCE_ECR_API,
                        PreventivePolicies.VPCE_ECR_DKR,
                        PreventivePolicies.VPCE_S3_ECR_LAYERS)) {
            IamPolicyChecks.valid(RESULT.policy(file).text(), Kind.VPC_ENDPOINT);
            checked.add(file);
        }
        IamPolicyChecks.valid(
                RESULT.policy(PreventivePolicies.REPOSITORY_BASELINE).text(), Kind.ECR_REPOSITORY);
        assertThat(checked).hasSize(3);
        // The built-in rules have no organization: generating from them fails on that key first.
        assertThatThrownBy(
                        () ->
                                PreventivePolicies.generate(
                                        RulesConfigLoader.builtIn().globalAllowlist(),
                                        "built-in",
                                        List.of()))
                .hasMessageContaining("allowlist.organizationId");
        assertThat(CloudTrailRecords.ACCOUNT).isEqualTo("111122223333");
    }

    static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        Json.elements(node).forEach(n -> out.add(n.asText()));
        return out;
    }
}
