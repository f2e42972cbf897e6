package io.layerwatch.infra;

import static io.layerwatch.infra.TemplatesTest.CENTRAL;
import static io.layerwatch.infra.TemplatesTest.MEMBER;
import static io.layerwatch.infra.TemplatesTest.read;
import static io.layerwatch.infra.TemplatesTest.resources;
import static io.layerwatch.infra.TemplatesTest.statements;
import static io.layerwatch.infra.TemplatesTest.strings;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.layerwatch.config.RemediationConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.infra.TemplatesTest.Statement;
import io.layerwatch.sinks.remediation.PolicyDocuments;
import io.layerwatch.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The remediation roles are not admin-equivalent: deny-layer-download may only attach LayerWatch's
 * own static deny policy (an iam:PolicyARN condition), inline policy writes live only in the opt-in
 * revoke-sessions role, and both roles carry explicit Denies on the account-administration,
 * break-glass and LayerWatch roles, the same ones the Java guard refuses.
 */
class RemediationRolesTemplateTest {

    static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    static final String ACCOUNT = "111122223333";

    /** IAM actions that change a principal's policies. */
    static final Pattern POLICY_WRITE =
            Pattern.compile("iam:(Put|Delete|Attach|Detach)(Role|User|Group)Policy");

    static final Pattern INLINE_WRITE = Pattern.compile("iam:(Put|Delete)(Role|User|Group)Policy");

    static Stream<Path> templates() {
        return Stream.of(CENTRAL, MEMBER);
    }

    static List<Statement> of(JsonNode t, String resource) {
        return statements(t).stream()
                .filter(s -> s.resource().equals(resource) && !s.trust())
                .toList();
    }

    @ParameterizedTest
    @MethodSource("templates")
    void theDenyPolicyIsStaticAndNamedWhereLayerWatchLooksForIt(Path template) {
        JsonNode t = read(template);
        JsonNode policy = resources(t).get("DenyLayerDownloadPolicy");
        assertThat(policy.path("Type").asText()).isEqualTo("AWS::IAM::ManagedPolicy");
        assertThat(policy.path("Condition").asText())
                .as("created with the role that attaches it")
                .isEqualTo(resources(t).get("RemediationRole").path("Condition").asText());
        JsonNode p = policy.get("Properties");
        assertThat(p.path("Path").asText() + p.path("ManagedPolicyName").asText())
                .isEqualTo(RemediationConfig.DENY_POLICY_PATH + RemediationConfig.DENY_POLICY_NAME);
        assertThat(RemediationConfig.defaults().denyPolicyArn("aws", ACCOUNT))
                .isEqualTo(
                        "arn:aws:iam::"
                                + ACCOUNT
                                + ":policy/layerwatch/LayerWatchDenyLayerDownload");
        // Exactly the deny the Java side describes: static (no parameter, no condition), Deny only.
        assertThat(PolicyDocuments.normalize(p.at("/PolicyDocument/Statement")))
                .isEqualTo(
                        PolicyDocuments.normalize(
                                Json.tree(PolicyDocuments.denyLayerDownloadPolicy())
                                        .get("Statement")));
    }

    @ParameterizedTest
    @MethodSource("templates")
    void theRemediationRoleAttachesOnlyTheDenyPolicyAndWritesNoInlinePolicy(Path template) {
        JsonNode t = read(template);
        Set<String> iam = new LinkedHashSet<>();
        for (Statement s : of(t, "RemediationRole")) {
            if (!s.allows()) {
                continue;
            }
            s.actions().stream().filter(a -> a.startsWith("iam:")).forEach(iam::add);
            if (s.actions().stream().anyMatch(a -> POLICY_WRITE.matcher(a).matches())) {
                assertThat(s.node().path("Condition").toString())
                        .as(s.where())
                        .isEqualTo(
                                "{\"ArnEquals\":{\"iam:PolicyARN\":{\"Ref\":\"DenyLayerDownloadPolicy\"}}}");
            }
        }
        assertThat(iam)
                .containsExactlyInAnyOrder(
                        "iam:ListAttachedRolePolicies",
                        "iam:ListAttachedUserPolicies",
                        "iam:AttachRolePolicy",
                        "iam:DetachRolePolicy",
                        "iam:AttachUserPolicy",
                        "iam:DetachUserPolicy");
    }

    @ParameterizedTest
    @MethodSource("templates")
    void inlinePolicyWritesLiveOnlyInTheOptInRevokeSessionsRole(Path template) {
        JsonNode t = read(template);
        for (Statement s : statements(t)) {
            if (s.allows()
                    && s.actions().stream().anyMatch(a -> INLINE_WRITE.matcher(a).matches())) {
                assertThat(s.resource()).as(s.where()).isEqualTo("RevokeSessionsRole");
            }
        }
        List<Statement> revoke = of(t, "RevokeSessionsRole");
        assertThat(revoke)
                .allSatisfy(
                        s -> {
                            assertThat(s.allows()).isTrue();
                            assertThat(s.actions())
                                    .containsExactlyInAnyOrder(
                                            "iam:GetRolePolicy",
                                            "iam:PutRolePolicy",
                                            "iam:DeleteRolePolicy");
                            assertThat(s.node().path("Resource").toString())
                                    .contains(":role/*")
                                    .doesNotContain(":user/");
                        })
                .isNotEmpty();
        assertThat(t.at("/Parameters/EnableRevokeSessions/Default").asText()).isEqualTo("false");
        String condition = resources(t).get("RevokeSessionsRole").path("Condition").asText();
        assertThat(t.at("/Conditions/" + condition).toString())
                .contains("EnableRevokeSessions")
                .containsAnyOf("EnableRemediation", "RemediationEnabled");
    }

    @Test
    void theApplicationMayAssumeTheRevokeSessionsRoleOnlyWhenItIsEnabled() {
        JsonNode t = read(CENTRAL);
        int grants = 0;
        for (Statement s : statements(t)) {
            String resource = s.node().path("Resource").toString();
            if (!s.actions().contains("sts:AssumeRole")
                    || s.trust()
                    || !resource.contains("RevokeSessionsRoleName")) {
                continue;
            }
            grants++;
            List<JsonNode> conditional = CfnYaml.functions(s.node().get("Resource"), "Fn::If");
            assertThat(conditional)
                    .as(s.where())
                    .singleElement()
                    .satisfies(
                            f -> {
                                assertThat(f.get(0).asText()).isEqualTo("RevokeSessionsEnabled");
                                assertThat(f.get(1).toString()).contains("RevokeSessionsRoleName");
                                assertThat(f.get(2).toString())
                                        .isEqualTo("{\"Ref\":\"AWS::NoValue\"}");
                            });
            assertThat(resource.replace(conditional.get(0).toString(), ""))
                    .doesNotContain("RevokeSessionsRoleName");
        }
        assertThat(grants).as("in the account and in the organization").isEqualTo(2);
        JsonNode remediation = null;
        for (JsonNode g : CfnYaml.functions(t, "Fn::If")) {
            if (g.get(1).path("PropertyGroupId").asText().equals("Remediation")) {
                remediation = g.get(1);
            }
        }
        assertThat(remediation.at("/PropertyMap/revoke.role.name").toString())
                .isEqualTo("{\"Ref\":\"RevokeSessionsRoleName\"}");
    }

    @ParameterizedTest
    @MethodSource("templates")
    void bothRolesCarryExplicitDeniesOnTheGuardedRoles(Path template) {
        JsonNode t = read(template);
        for (String role : List.of("RemediationRole", "RevokeSessionsRole")) {
            assertThat(resources(t).get(role).at("/Properties/ManagedPolicyArns").toString())
                    .as(role)
                    .isEqualTo("[{\"Ref\":\"RemediationGuardrailsPolicy\"}]");
        }
        List<Statement> guard = of(t, "RemediationGuardrailsPolicy");
        assertThat(guard).allSatisfy(s -> assertThat(s.allows()).isFalse()).isNotEmpty();
        // Each Deny covers every policy write either role is allowed.
        Set<String> writes = new LinkedHashSet<>();
        Stream.concat(of(t, "RemediationRole").stream(), of(t, "RevokeSessionsRole").stream())
                .filter(Statement::allows)
                .forEach(
                        s ->
                                s.actions().stream()
                                        .filter(a -> POLICY_WRITE.matcher(a).matches())
                                        .forEach(writes::add));
        assertThat(writes).isNotEmpty();
        assertThat(guard)
                .allSatisfy(
                        s ->
                                assertThat(s.actions())
                                        .containsAll(
                                                writes.stream()
                                                        .filter(a -> a.endsWith("RolePolicy"))
                                                        .toList()));

        Set<String> denied = new LinkedHashSet<>();
        guard.forEach(
                s ->
                        evaluate(s.node().get("Resource"), parameters(t, List.of()))
                                .forEach(denied::add));
        String role = "arn:aws:iam::" + ACCOUNT + ":role/";
        assertThat(denied)
                .contains(
                        role + "OrganizationAccountAccessRole",
                        role + "*/OrganizationAccountAccessRole",
                        role + "AWSControlTowerExecution",
                        role + "stacksets-exec-*",
                        role + "aws-reserved/*",
                        role + "LayerWatchRemediation",
                        role + "LayerWatchRevokeSessions");
        if (template.equals(MEMBER)) {
            assertThat(denied).contains(role + "StackSet-layerwatch-member-*");
        } else {
            assertThat(guard.toString()).contains("{\"Fn::GetAtt\":[\"ApplicationRole\",\"Arn\"]}");
        }
    }

    @ParameterizedTest
    @MethodSource("templates")
    void theBreakGlassRolesAreDeniedUnderAnyPathWhenNamed(Path template) {
        JsonNode t = read(template);
        List<JsonNode> ifs =
                CfnYaml.functions(resources(t).get("RemediationGuardrailsPolicy"), "Fn::If");
        assertThat(ifs)
                .singleElement()
                .satisfies(
                        f -> {
                            assertThat(f.get(0).asText()).isEqualTo("HasBreakGlassRoles");
                            assertThat(f.get(2).toString()).isEqualTo("{\"Ref\":\"AWS::NoValue\"}");
                        });
        assertThat(t.at("/Conditions/HasBreakGlassRoles").toString())
                .contains("BreakGlassRoleNames");
        JsonNode statement = ifs.get(0).get(1);
        assertThat(statement.path("Effect").asText()).isEqualTo("Deny");
        assertThat(
                        evaluate(
                                statement.get("Resource"),
                                parameters(t, List.of("BreakGlass", "IncidentResponse"))))
                .containsExactly(
                        "arn:*:iam::*:role/BreakGlass",
                        "arn:*:iam::*:role/IncidentResponse",
                        "arn:*:iam::*:role/*/BreakGlass",
                        "arn:*:iam::*:role/*/IncidentResponse");
    }

    /**
     * What the member roles deny, the Java guard refuses before any call: with the parameter
     * defaults, the break-glass role named in both places, and the remediation role the job
     * assumes.
     */
    @Test
    void theJavaGuardRefusesWhatTheMemberRolesDeny() {
        JsonNode t = read(MEMBER);
        RemediationConfig config =
                RulesConfigLoader.fromYaml(
                                """
                remediation:
                  breakGlassPrincipals: ["arn:aws:iam::*:role/BreakGlass"]
                  assumeRole: {roleArn: "arn:aws:iam::{account}:role/%s"}
                """
                                        .formatted(
                                                t.at("/Parameters/RemediationRoleName/Default")
                                                        .asText()),
                                "test.yaml")
                        .remediation();
        Map<String, JsonNode> params = parameters(t, List.of("BreakGlass"));
        List<String> denied = new ArrayList<>();
        of(t, "RemediationGuardrailsPolicy")
                .forEach(s -> denied.addAll(evaluate(s.node().get("Resource"), params)));
        assertThat(denied).hasSizeGreaterThan(10);
        for (String arn : denied) {
            String example =
                    arn.replace("arn:*:iam::*:", "arn:aws:iam::" + ACCOUNT + ":").replace("*", "x");
            assertThat(config.protectedPrincipal(example)).as(example).isTrue();
        }
        assertThat(config.protectedPrincipal("arn:aws:iam::" + ACCOUNT + ":role/developer"))
                .isFalse();
    }

    // ---- a small evaluator of Ref, Fn::Sub, Fn::Join and Fn::Split
    // ------------------------------------------------

    /**
     * The template's parameter defaults, BreakGlassRoleNames, and the pseudo parameters of a
     * StackSet instance.
     */
    static Map<String, JsonNode> parameters(JsonNode t, List<String> breakGlass) {
        Map<String, JsonNode> p = new HashMap<>();
        t.get("Parameters")
                .fields()
                .forEachRemaining(e -> p.put(e.getKey(), e.getValue().path("Default")));
        ArrayNode names = NODES.arrayNode();
        breakGlass.forEach(names::add);
        p.put("BreakGlassRoleNames", names);
        p.put("AWS::Partition", NODES.textNode("aws"));
        p.put("AWS::AccountId", NODES.textNode(ACCOUNT));
        p.put("AWS::StackName", NODES.textNode("StackSet-layerwatch-member-0a1b2c3d"));
        return p;
    }

    /**
     * The strings a Resource value resolves to (what cannot be resolved here, e.g. Fn::GetAtt, is
     * left out).
     */
    static List<String> evaluate(JsonNode node, Map<String, JsonNode> params) {
        JsonNode v = eval(node, params);
        return v == null
                ? List.of()
                : strings(v).stream().filter(s -> s.startsWith("arn:")).toList();
    }

    private static JsonNode eval(JsonNode n, Map<String, JsonNode> params) {
        if (n.isTextual()) {
            return n;
        }
        if (n.isArray()) {
            ArrayNode out = NODES.arrayNode();
            n.forEach(
                    item -> {
                        JsonNode v = eval(item, params);
                        if (v != null) {
                            out.add(v);
                        }
                    });
            return out;
        }
        if (n.has("Ref")) {
            return params.get(n.get("Ref").asText());
        }
        if (n.has("Fn::Sub")) {
            JsonNode sub = n.get("Fn::Sub");
            Map<String, JsonNode> vars = new HashMap<>(params);
            if (sub.isArray()) {
                sub.get(1)
                        .fields()
                        .forEachRemaining(e -> vars.put(e.getKey(), eval(e.getValue(), params)));
                sub = sub.get(0);
            }
            Matcher m = Pattern.compile("\\$\\{([^}]+)}").matcher(sub.asText());
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(out, Matcher.quoteReplacement(vars.get(m.group(1)).asText()));
            }
            return NODES.textNode(m.appendTail(out).toString());
        }
        if (n.has("Fn::Join")) {
            List<String> parts = strings(eval(n.get("Fn::Join").get(1), params));
            return NODES.textNode(String.join(n.get("Fn::Join").get(0).asText(), parts));
        }
        if (n.has("Fn::Split")) {
            ArrayNode out = NODES.arrayNode();
            String text = eval(n.get("Fn::Split").get(1), params).asText();
            for (String part : text.split(Pattern.quote(n.get("Fn::Split").get(0).asText()), -1)) {
                out.add(part);
            }
            return out;
        }
        return null;
    }
}
