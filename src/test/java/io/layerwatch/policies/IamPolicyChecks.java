package io.layerwatch.policies;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.config.Cidr;
import io.layerwatch.util.Json;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks policy JSON against the IAM policy grammar (the parts these policies use), per policy
 * kind.
 */
public final class IamPolicyChecks {

    /** Where a policy is attached decides which elements it needs. */
    public enum Kind {
        /** Organizations SCP: no Principal; Resource required. */
        SERVICE_CONTROL,
        /** VPC endpoint policy: Principal and Resource required. */
        VPC_ENDPOINT,
        /** ECR repository policy: Principal required; no Resource (the repository itself). */
        ECR_REPOSITORY
    }

    private static final Set<String> TOP = Set.of("Version", "Id", "Statement");
    private static final Set<String> STATEMENT =
            Set.of(
                    "Sid",
                    "Effect",
                    "Principal",
                    "NotPrincipal",
                    "Action",
                    "NotAction",
                    "Resource",
                    "NotResource",
                    "Condition");
    private static final Set<String> OPERATORS =
            Set.of(
                    "StringEquals",
                    "StringNotEquals",
                    "StringEqualsIgnoreCase",
                    "StringNotEqualsIgnoreCase",
                    "StringLike",
                    "StringNotLike",
                    "NumericEquals",
                    "NumericNotEquals",
                    "NumericLessThan",
                    "NumericLessThanEquals",
                    "NumericGreaterThan",
                    "NumericGreaterThanEquals",
                    "DateEquals",
                    "DateNotEquals",
                    "DateLessThan",
                    "DateLessThanEquals",
                    "DateGreaterThan",
                    "DateGreaterThanEquals",
                    "Bool",
                    "BinaryEquals",
                    "IpAddress",
                    "NotIpAddress",
                    "ArnEquals",
                    "ArnLike",
                    "ArnNotEquals",
                    "ArnNotLike",
                    "Null");
    private static final Pattern ACTION = Pattern.compile("\\*|[a-z0-9-]+:[A-Za-z0-9*]+");
    private static final Pattern CONDITION_KEY = Pattern.compile("[a-zA-Z0-9]+:[A-Za-z0-9:/._-]+");
    private static final Pattern ARN =
            Pattern.compile("arn:[a-z*-]+:[a-z0-9*-]+:[a-z0-9*-]*:[0-9*]*:.+");

    private IamPolicyChecks() {}

    /** Parses the text and checks it; returns the document. */
    public static JsonNode valid(String text, Kind kind) {
        JsonNode doc = Json.tree(text);
        assertThat(doc).as("policy JSON: " + text).isNotNull();
        assertThat(doc.isObject()).isTrue();
        doc.fieldNames()
                .forEachRemaining(f -> assertThat(TOP).as("top-level element " + f).contains(f));
        assertThat(doc.path("Version").asText()).isEqualTo("2012-10-17");
        List<JsonNode> statements = Json.elements(doc.get("Statement"));
        assertThat(statements).as("Statement").isNotEmpty();
        Set<String> sids = new HashSet<>();
        for (JsonNode s : statements) {
            statement(s, kind, sids);
        }
        return doc;
    }

    private static void statement(JsonNode s, Kind kind, Set<String> sids) {
        assertThat(s.isObject()).isTrue();
        s.fieldNames()
                .forEachRemaining(
                        f -> assertThat(STATEMENT).as("statement element " + f).contains(f));
        if (s.has("Sid")) {
            assertThat(s.get("Sid").asText()).as("Sid").matches("[A-Za-z0-9]+");
            assertThat(sids.add(s.get("Sid").asText())).as("unique Sid " + s.get("Sid")).isTrue();
        }
        assertThat(s.path("Effect").asText()).isIn("Allow", "Deny");
        assertThat(s.has("Action") ^ s.has("NotAction"))
                .as("exactly one of Action, NotAction")
                .isTrue();
        for (JsonNode a : Json.elements(s.has("Action") ? s.get("Action") : s.get("NotAction"))) {
            assertThat(a.isTextual()).isTrue();
            assertThat(a.asText()).matches(ACTION);
        }
        switch (kind) {
            case SERVICE_CONTROL -> {
                assertThat(s.has("Principal") || s.has("NotPrincipal"))
                        .as("SCPs have no Principal")
                        .isFalse();
                assertThat(s.has("Resource")).as("Resource").isTrue();
            }
            case VPC_ENDPOINT -> {
                assertThat(s.has("Principal")).as("Principal").isTrue();
                assertThat(s.has("Resource")).as("Resource").isTrue();
            }
            case ECR_REPOSITORY -> {
                assertThat(s.has("Principal")).as("Principal").isTrue();
                assertThat(s.has("Resource") || s.has("NotResource"))
                        .as("repository policies name no Resource")
                        .isFalse();
            }
        }
        if (s.has("Principal")) {
            JsonNode p = s.get("Principal");
            assertThat(p.isTextual() ? p.asText().equals("*") : p.isObject())
                    .as("Principal " + p)
                    .isTrue();
        }
        for (JsonNode r : Json.elements(s.get("Resource"))) {
            assertThat(r.asText().equals("*") || ARN.matcher(r.asText()).matches())
                    .as("Resource " + r)
                    .isTrue();
        }
        JsonNode condition = s.get("Condition");
        if (condition != null) {
            assertThat(condition.isObject()).isTrue();
            condition
                    .fields()
                    .forEachRemaining(
                            op -> {
                                String base =
                                        op.getKey()
                                                .replaceFirst("^For(Any|All)Value:", "")
                                                .replaceFirst("IfExists$", "");
                                assertThat(OPERATORS)
                                        .as("condition operator " + op.getKey())
                                        .contains(base);
                                op.getValue()
                                        .fields()
                                        .forEachRemaining(
                                                kv -> {
                                                    assertThat(kv.getKey()).matches(CONDITION_KEY);
                                                    for (JsonNode v :
                                                            Json.elements(kv.getValue())) {
                                                        assertThat(v.isTextual())
                                                                .as(kv.getKey() + " value " + v)
                                                                .isTrue();
                                                        if (base.startsWith("Arn")) {
                                                            assertThat(v.asText())
                                                                    .as(kv.getKey())
                                                                    .matches(ARN);
                                                        } else if (base.endsWith("IpAddress")) {
                                                            Cidr.parse(v.asText());
                                                        } else if (base.equals("Bool")) {
                                                            assertThat(v.asText())
                                                                    .isIn("true", "false");
                                                        }
                                                    }
                                                });
                            });
        }
    }
}
