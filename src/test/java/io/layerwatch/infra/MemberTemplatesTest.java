package io.layerwatch.infra;

import static io.layerwatch.infra.TemplatesTest.INFRA;
import static io.layerwatch.infra.TemplatesTest.MEMBER;
import static io.layerwatch.infra.TemplatesTest.read;
import static io.layerwatch.infra.TemplatesTest.resources;
import static io.layerwatch.infra.TemplatesTest.single;
import static io.layerwatch.infra.TemplatesTest.statements;
import static io.layerwatch.infra.TemplatesTest.strings;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.infra.TemplatesTest.Statement;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The templates deployed outside the central stack (member StackSet, trail subscription,
 * image-assessment enrollment). CfnLintScriptIT runs scripts/cfn-lint.sh.
 */
class MemberTemplatesTest {

    static final Path TRAIL = INFRA.resolve("layerwatch-trail-subscription.yaml");
    static final Path ASSESSMENT = INFRA.resolve("layerwatch-image-assessment.yaml");
    static final String CENTRAL_ACCOUNT = "111122223333";
    static final String CENTRAL_REGION = "eu-west-1";

    // ---- member stack
    // ------------------------------------------------------------------------------------

    /**
     * CloudFormation refuses a stack whose resources all drop out by condition, and the StackSet
     * deploys the member template to the central account's own region too, where nothing is
     * forwarded (the central stack's own rules read it) and no remediation role is made (the
     * central stack has it): some resource must remain there.
     */
    @ParameterizedTest(name = "EnableRemediation={0}, PrimaryRegion={1}")
    @CsvSource({"false, us-east-1", "true, eu-west-1", "true, us-east-1"})
    void theMemberStackKeepsAResourceInTheCentralAccountsOwnRegion(
            String remediation, String primaryRegion) {
        JsonNode t = read(MEMBER);
        Map<String, String> values =
                values(
                        t,
                        Map.of(
                                "AWS::AccountId",
                                CENTRAL_ACCOUNT,
                                "AWS::Region",
                                CENTRAL_REGION,
                                "CentralAccountId",
                                CENTRAL_ACCOUNT,
                                "CentralRegion",
                                CENTRAL_REGION,
                                "EnableRemediation",
                                remediation,
                                "PrimaryRegion",
                                primaryRegion));
        List<String> created = surelyCreated(t, values);
        assertThat(created)
                .as("resources created in the central account's own region")
                .isNotEmpty();
        for (String name : created) {
            assertThat(resources(t).get(name).path("Type").asText())
                    .as(name + ": nothing forwarded or granted there")
                    .isEqualTo("AWS::CloudFormation::WaitConditionHandle");
        }
        // Elsewhere the stack forwards: the marker is not all it does.
        Map<String, String> member = new HashMap<>(values);
        member.put("AWS::AccountId", "444455556666");
        assertThat(surelyCreated(t, member)).contains("ForwardRole", "ForwardEcrEventsRule");
    }

    // ---- trail subscription
    // --------------------------------------------------------------------------------

    @Test
    void theTrailSubscriptionDeliversThroughItsOwnRoleLimitedToTheDestination() {
        JsonNode t = read(TRAIL);
        JsonNode filter = single(t, "AWS::Logs::SubscriptionFilter").get("Properties");
        assertThat(filter.get("DestinationArn").toString())
                .isEqualTo("{\"Ref\":\"DestinationArn\"}");
        String role = filter.at("/RoleArn/Fn::GetAtt/0").asText();
        assertThat(resources(t).path(role).path("Type").asText())
                .as("RoleArn, a role of this stack: required for an organization-wide destination")
                .isEqualTo("AWS::IAM::Role");

        List<Statement> trust =
                statements(t).stream().filter(s -> s.resource().equals(role) && s.trust()).toList();
        assertThat(trust)
                .singleElement()
                .satisfies(
                        s -> {
                            assertThat(s.node().at("/Principal/Service").asText())
                                    .isEqualTo("logs.amazonaws.com");
                            JsonNode sourceArns =
                                    s.node().at("/Condition/StringLike/aws:SourceArn");
                            assertThat(strings(sourceArns))
                                    .as("aws:SourceArn: this account's logs in this region")
                                    .contains(
                                            "{\"Fn::Sub\":\"arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:*\"}");
                            assertThat(sourceArns.toString()).doesNotContain("\"*\"");
                        });
        List<Statement> permissions =
                statements(t).stream()
                        .filter(s -> s.resource().equals(role) && !s.trust())
                        .toList();
        assertThat(permissions)
                .singleElement()
                .satisfies(
                        s -> {
                            assertThat(s.allows()).isTrue();
                            assertThat(s.actions()).containsExactly("logs:PutLogEvents");
                            assertThat(s.node().get("Resource").toString())
                                    .isEqualTo("{\"Ref\":\"DestinationArn\"}");
                        });
    }

    // ---- image-assessment enrollment
    // -----------------------------------------------------------------------

    @Test
    void theAssessmentSecretIsUnderARetainedCustomerKeyTheReaderRoleMayUseCrossAccount() {
        JsonNode t = read(ASSESSMENT);
        String reader = "arn:aws:iam::999988887777:role/layerwatch-application-eu-west-1";
        Map<String, String> values = values(t, Map.of("SecretReaderRoleArn", reader));
        JsonNode secret = resources(t).get("AssessmentApiCredentials");
        String keyResource = chosen(t, secret.at("/Properties/KmsKeyId"), values);
        assertThat(keyResource)
                .as("KmsKeyId with the default SecretKmsKeyArn")
                .isEqualTo("{\"Fn::GetAtt\":[\"SecretKey\",\"Arn\"]}");
        assertThat(surelyCreated(t, values))
                .contains(
                        "SecretKey", "AssessmentApiCredentials", "AssessmentApiCredentialsPolicy");

        JsonNode key = resources(t).get("SecretKey");
        assertThat(key.path("Type").asText()).isEqualTo("AWS::KMS::Key");
        assertThat(key.path("DeletionPolicy").asText()).isEqualTo("Retain");
        assertThat(key.path("UpdateReplacePolicy").asText()).isEqualTo("Retain");
        assertThat(key.at("/Properties/EnableKeyRotation").asBoolean()).isTrue();
        assertThat(secret.path("DeletionPolicy").asText())
                .as("the secret outlives the stack with its key")
                .isEqualTo("Retain");

        List<JsonNode> readerGrants = new ArrayList<>();
        for (JsonNode statement : key.at("/Properties/KeyPolicy/Statement")) {
            JsonNode s = statement.has("Fn::If") ? ifBranch(t, statement, values) : statement;
            if (s != null
                    && s.at("/Principal/AWS")
                            .toString()
                            .equals("{\"Ref\":\"SecretReaderRoleArn\"}")) {
                readerGrants.add(s);
            }
        }
        assertThat(readerGrants)
                .singleElement()
                .satisfies(
                        s -> {
                            assertThat(s.path("Effect").asText()).isEqualTo("Allow");
                            assertThat(strings(s.get("Action"))).containsExactly("kms:Decrypt");
                            assertThat(s.at("/Condition/StringEquals/kms:ViaService").toString())
                                    .contains("secretsmanager.${AWS::Region}");
                            assertThat(
                                            s.at(
                                                            "/Condition/StringLike/kms:EncryptionContext:SecretARN")
                                                    .toString())
                                    .contains("${SecretName}-");
                        });
        // The secret's own policy admits the same role.
        assertThat(
                        resources(t)
                                .get("AssessmentApiCredentialsPolicy")
                                .at("/Properties/ResourcePolicy/Statement/0/Principal/AWS")
                                .toString())
                .isEqualTo("{\"Ref\":\"SecretReaderRoleArn\"}");

        // A key of one's own replaces it; the AWS managed key is never the choice.
        Map<String, String> own = new HashMap<>(values);
        own.put(
                "SecretKmsKeyArn",
                "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab");
        assertThat(chosen(t, secret.at("/Properties/KmsKeyId"), own))
                .isEqualTo("{\"Ref\":\"SecretKmsKeyArn\"}");
        assertThat(surelyCreated(t, own)).doesNotContain("SecretKey");
    }

    // ---- conditions
    // ----------------------------------------------------------------------------------------

    /** Parameter defaults, overridden by the given values (pseudo parameters included). */
    static Map<String, String> values(JsonNode t, Map<String, String> given) {
        Map<String, String> values = new HashMap<>();
        t.path("Parameters")
                .fields()
                .forEachRemaining(
                        p -> {
                            if (p.getValue().has("Default")) {
                                values.put(p.getKey(), p.getValue().get("Default").asText());
                            }
                        });
        values.putAll(given);
        return values;
    }

    /**
     * Resources that certainly exist with these values: no condition, or one that evaluates to
     * true.
     */
    static List<String> surelyCreated(JsonNode t, Map<String, String> values) {
        List<String> out = new ArrayList<>();
        resources(t)
                .fields()
                .forEachRemaining(
                        r -> {
                            JsonNode condition = r.getValue().get("Condition");
                            if (condition == null
                                    || condition(t, condition.asText(), values).orElse(false)) {
                                out.add(r.getKey());
                            }
                        });
        return out;
    }

    /** The Fn::If branch these values choose, as JSON text. */
    static String chosen(JsonNode t, JsonNode node, Map<String, String> values) {
        JsonNode branch = ifBranch(t, node, values);
        assertThat(branch).as(node + ": decided, and not AWS::NoValue").isNotNull();
        return branch.toString();
    }

    /**
     * The branch of an Fn::If, or null when its condition cannot be decided or the branch is
     * AWS::NoValue.
     */
    static JsonNode ifBranch(JsonNode t, JsonNode node, Map<String, String> values) {
        JsonNode fn = node.get("Fn::If");
        Optional<Boolean> decided = condition(t, fn.get(0).asText(), values);
        if (decided.isEmpty()) {
            return null;
        }
        JsonNode branch = fn.get(decided.get() ? 1 : 2);
        return branch.toString().equals("{\"Ref\":\"AWS::NoValue\"}") ? null : branch;
    }

    static Optional<Boolean> condition(JsonNode t, String name, Map<String, String> values) {
        JsonNode body = t.at("/Conditions/" + name);
        assertThat(body.isMissingNode()).as("condition " + name + " defined").isFalse();
        return evaluate(t, body, values);
    }

    /**
     * Fn::Equals, Fn::Not, Fn::And, Fn::Or and Condition over Refs and literals; empty for anything
     * else.
     */
    static Optional<Boolean> evaluate(JsonNode t, JsonNode n, Map<String, String> values) {
        if (n.has("Condition")) {
            return condition(t, n.get("Condition").asText(), values);
        }
        if (n.has("Fn::Not")) {
            return evaluate(t, n.get("Fn::Not").get(0), values).map(b -> !b);
        }
        if (n.has("Fn::Equals")) {
            Optional<String> a = value(n.get("Fn::Equals").get(0), values);
            Optional<String> b = value(n.get("Fn::Equals").get(1), values);
            return a.isPresent() && b.isPresent()
                    ? Optional.of(a.get().equals(b.get()))
                    : Optional.empty();
        }
        boolean and = n.has("Fn::And");
        if (!and && !n.has("Fn::Or")) {
            return Optional.empty();
        }
        boolean result = and;
        for (JsonNode operand : n.get(and ? "Fn::And" : "Fn::Or")) {
            Optional<Boolean> v = evaluate(t, operand, values);
            if (v.isEmpty()) {
                return Optional.empty();
            }
            result = and ? result && v.get() : result || v.get();
        }
        return Optional.of(result);
    }

    static Optional<String> value(JsonNode n, Map<String, String> values) {
        if (n.isValueNode()) {
            return Optional.of(n.asText());
        }
        return n.has("Ref")
                ? Optional.ofNullable(values.get(n.get("Ref").asText()))
                : Optional.empty();
    }
}
