package io.layerwatch.sinks.remediation;

import static io.layerwatch.sinks.remediation.AuditRecord.RESULT_EXECUTED;
import static io.layerwatch.sinks.remediation.AuditRecord.RESULT_NO_CHANGE;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layerwatch.sinks.remediation.AssessmentApi.Connection;
import io.layerwatch.util.Json;
import java.util.List;

/**
 * The states of targets as audit records keep them ("before" and "after"), and what a state read
 * means.
 */
final class AuditStates {

    private AuditStates() {}

    static ObjectNode policy(String text) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        if (text == null) {
            n.putNull("policyText");
        } else {
            n.put("policyText", text);
        }
        return n;
    }

    static ObjectNode removed(String text, List<JsonNode> statements) {
        ObjectNode n = policy(text);
        ArrayNode list = n.putArray("removedStatements");
        statements.forEach(list::add);
        return n;
    }

    static ObjectNode inlinePolicy(Target t, String policyName, String document) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("principal", t.principalArn());
        n.put("policyName", policyName);
        if (document == null) {
            n.putNull("policyDocument");
        } else {
            n.put("policyDocument", document);
        }
        return n;
    }

    static ObjectNode attachment(Target t, String policyArn, boolean attached) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("principal", t.principalArn());
        n.put("policyArn", policyArn);
        n.put("attached", attached);
        return n;
    }

    static ObjectNode enrollment(String url, Connection c, boolean created) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("registry", url);
        n.put("enrolled", c != null);
        if (c != null && c.id() != null) {
            n.put("connectionId", c.id());
        }
        if (created) {
            n.put("created", true);
        }
        return n;
    }

    /** No change now: "executed" when an earlier attempt already changed it, else "no-change". */
    static String unchanged(JsonNode firstBefore, String current) {
        return unchanged(firstBefore, current, "policyText", RESULT_EXECUTED);
    }

    /**
     * {@code changedEarlier} when the state differs from the first one read (an earlier attempt
     * wrote it).
     */
    static String unchanged(
            JsonNode firstBefore, String current, String field, String changedEarlier) {
        String first =
                firstBefore.path(field).isNull() ? null : firstBefore.path(field).asText(null);
        return PolicyDocuments.same(first, current) ? RESULT_NO_CHANGE : changedEarlier;
    }
}
