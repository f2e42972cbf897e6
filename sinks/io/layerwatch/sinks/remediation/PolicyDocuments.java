package io.layerwatch.sinks.remediation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * IAM policy documents (ECR repository and registry policies, inline role/user policies) as JSON:
 * the statements LayerWatch writes, merging and removing statements while keeping every other
 * statement and attribute as it was. Pure: text in, text out.
 *
 * <p>Statements are matched semantically ({@link #normalize}), not textually, because the services
 * may hand a policy back reformatted: element order, one-element lists vs. scalars, bare account
 * ids vs. root ARNs, and the case of action names do not matter.
 */
public final class PolicyDocuments {

    /** The Sid of the deny that quarantine-repository merges into a repository policy. */
    public static final String QUARANTINE_SID = "LayerWatchQuarantine";

    /**
     * Name (and Sid) of the managed policy deny-layer-download attaches (inline in older audit
     * records).
     */
    public static final String DENY_LAYER_DOWNLOAD_POLICY = "LayerWatchDenyLayerDownload";

    /** Inline policy (and Sid) revoke-sessions attaches to a role. */
    public static final String REVOKE_SESSIONS_POLICY = "LayerWatchRevokeOlderSessions";

    public static final String VERSION = "2012-10-17";

    /** The pull actions quarantine denies. */
    public static final List<String> PULL_ACTIONS =
            List.of(
                    "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:BatchCheckLayerAvailability");

    private static final ObjectMapper PLAIN = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** A rewritten policy: the new text, or {@code delete} when no statement is left. */
    public record Rewrite(boolean changed, String text, boolean delete, List<JsonNode> affected) {
        static Rewrite unchanged() {
            return new Rewrite(false, null, false, List.of());
        }
    }

    private PolicyDocuments() {}

    // ---- the statements LayerWatch writes
    // ---------------------------------------------------------------------

    /**
     * Deny of the pull actions to everyone, except (aws:PrincipalArn, ArnNotLike) the break-glass
     * principals when there are any.
     */
    public static ObjectNode quarantineStatement(List<String> breakGlass) {
        ObjectNode s = NODES.objectNode();
        s.put("Sid", QUARANTINE_SID);
        s.put("Effect", "Deny");
        s.put("Principal", "*");
        ArrayNode actions = s.putArray("Action");
        PULL_ACTIONS.forEach(actions::add);
        if (breakGlass != null && !breakGlass.isEmpty()) {
            ArrayNode arns =
                    s.putObject("Condition").putObject("ArnNotLike").putArray("aws:PrincipalArn");
            breakGlass.forEach(arns::add);
        }
        return s;
    }

    /**
     * The deny policy's document (infra/ creates the managed policy with exactly this): layer
     * downloads and image manifests, on every repository.
     */
    public static String denyLayerDownloadPolicy() {
        ObjectNode s = NODES.objectNode();
        s.put("Sid", DENY_LAYER_DOWNLOAD_POLICY);
        s.put("Effect", "Deny");
        s.putArray("Action").add("ecr:GetDownloadUrlForLayer").add("ecr:BatchGetImage");
        s.put("Resource", "*");
        return document(s).toString();
    }

    /**
     * AWS's way to revoke a role's sessions: deny everything to credentials issued before {@code
     * now} (aws:TokenIssueTime); sessions issued later, including new ones of the same role, keep
     * working.
     */
    public static String revokeSessionsPolicy(Instant now) {
        ObjectNode s = NODES.objectNode();
        s.put("Sid", REVOKE_SESSIONS_POLICY);
        s.put("Effect", "Deny");
        s.putArray("Action").add("*");
        s.putArray("Resource").add("*");
        s.putObject("Condition")
                .putObject("DateLessThan")
                .put("aws:TokenIssueTime", now.truncatedTo(ChronoUnit.SECONDS).toString());
        return document(s).toString();
    }

    private static ObjectNode document(ObjectNode statement) {
        ObjectNode doc = NODES.objectNode();
        doc.put("Version", VERSION);
        doc.putArray("Statement").add(statement);
        return doc;
    }

    // ---- rewriting
    // ----------------------------------------------------------------------------------------------

    /**
     * Adds {@code statement} (keyed by its Sid) to the policy, creating one when there is none. A
     * statement with that Sid is replaced when it differs; an equal one means no change.
     */
    public static Rewrite mergeStatement(String policyText, ObjectNode statement) {
        String sid = statement.path("Sid").asText(null);
        if (policyText == null) {
            ObjectNode doc = document(statement.deepCopy());
            return new Rewrite(true, doc.toString(), false, List.of(statement));
        }
        ObjectNode doc = parse(policyText);
        List<JsonNode> statements = statements(doc);
        List<JsonNode> out = new ArrayList<>();
        boolean placed = false;
        for (JsonNode s : statements) {
            if (sid != null && sid.equals(s.path("Sid").asText(null))) {
                if (normalize(s).equals(normalize(statement))) {
                    return Rewrite.unchanged();
                }
                if (!placed) {
                    out.add(statement.deepCopy());
                    placed = true;
                }
            } else {
                out.add(s);
            }
        }
        if (!placed) {
            out.add(statement.deepCopy());
        }
        return rewrite(doc, out, List.of(statement));
    }

    /** Removes every statement with this Sid; deleting the policy when none is left. */
    public static Rewrite removeSid(String policyText, String sid) {
        if (policyText == null) {
            return Rewrite.unchanged();
        }
        ObjectNode doc = parse(policyText);
        List<JsonNode> keep = new ArrayList<>();
        List<JsonNode> removed = new ArrayList<>();
        for (JsonNode s : statements(doc)) {
            (sid.equals(s.path("Sid").asText(null)) ? removed : keep).add(s);
        }
        return removed.isEmpty() ? Rewrite.unchanged() : rewrite(doc, keep, removed);
    }

    /**
     * Removes the statements semantically equal to one of {@code wanted}; the rest stay in place.
     * {@code affected} lists what was actually removed (as it was in the policy).
     */
    public static Rewrite removeStatements(String policyText, List<JsonNode> wanted) {
        if (policyText == null || wanted.isEmpty()) {
            return Rewrite.unchanged();
        }
        List<JsonNode> targets = wanted.stream().map(PolicyDocuments::normalize).toList();
        ObjectNode doc = parse(policyText);
        List<JsonNode> keep = new ArrayList<>();
        List<JsonNode> removed = new ArrayList<>();
        for (JsonNode s : statements(doc)) {
            (targets.contains(normalize(s)) ? removed : keep).add(s);
        }
        return removed.isEmpty() ? Rewrite.unchanged() : rewrite(doc, keep, removed);
    }

    /**
     * Appends those of {@code statements} the policy does not hold yet (creating a policy when
     * none).
     */
    public static Rewrite addStatements(String policyText, List<JsonNode> statements) {
        ObjectNode doc;
        if (policyText == null) {
            doc = NODES.objectNode().put("Version", VERSION);
            doc.putArray("Statement");
        } else {
            doc = parse(policyText);
        }
        List<JsonNode> out = new ArrayList<>(statements(doc));
        List<JsonNode> present = out.stream().map(PolicyDocuments::normalize).toList();
        List<JsonNode> added = new ArrayList<>();
        for (JsonNode s : statements) {
            if (!present.contains(normalize(s))) {
                out.add(s.deepCopy());
                added.add(s);
            }
        }
        return added.isEmpty() ? Rewrite.unchanged() : rewrite(doc, out, added);
    }

    private static Rewrite rewrite(
            ObjectNode doc, List<JsonNode> statements, List<JsonNode> affected) {
        if (statements.isEmpty()) {
            return new Rewrite(true, null, true, List.copyOf(affected));
        }
        ObjectNode copy = doc.deepCopy();
        ArrayNode array = NODES.arrayNode();
        statements.forEach(array::add);
        copy.set("Statement", array);
        return new Rewrite(true, copy.toString(), false, List.copyOf(affected));
    }

    // ---- reading
    // ------------------------------------------------------------------------------------------------

    /** The policy as a JSON object; IllegalArgumentException when it is not one. */
    public static ObjectNode parse(String policyText) {
        try {
            JsonNode node = PLAIN.readTree(policyText);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("the policy is not a JSON object");
            }
            return (ObjectNode) node;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "the policy is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** The statements (a single statement object counts as a list of one). */
    public static List<JsonNode> statements(ObjectNode policy) {
        JsonNode s = policy.get("Statement");
        List<JsonNode> out = new ArrayList<>();
        if (s == null || s.isNull()) {
            return out;
        }
        if (s.isArray()) {
            s.forEach(out::add);
        } else {
            out.add(s);
        }
        return out;
    }

    /** Whether two policy texts (null: no policy) say the same. */
    public static boolean same(String a, String b) {
        if (a == null || b == null) {
            return a == null && b == null;
        }
        try {
            return normalize(parse(a)).equals(normalize(parse(b)));
        } catch (IllegalArgumentException e) {
            return a.equals(b);
        }
    }

    /**
     * A canonical form for comparison: one-element lists as their element, lists as sorted sets,
     * action names in lower case, bare 12-digit account ids in principals as root ARNs.
     */
    public static JsonNode normalize(JsonNode node) {
        return normalize(node, false, null);
    }

    private static JsonNode normalize(JsonNode node, boolean inPrincipal, String field) {
        if (node == null) {
            return null;
        }
        if (node.isObject()) {
            ObjectNode out = NODES.objectNode();
            for (Map.Entry<String, JsonNode> f :
                    (Iterable<Map.Entry<String, JsonNode>>) node::fields) {
                boolean principal =
                        inPrincipal
                                || f.getKey().equals("Principal")
                                || f.getKey().equals("NotPrincipal");
                out.set(f.getKey(), normalize(f.getValue(), principal, f.getKey()));
            }
            return out;
        }
        if (node.isArray()) {
            List<JsonNode> items = new ArrayList<>();
            node.forEach(n -> items.add(normalize(n, inPrincipal, field)));
            if (items.size() == 1) {
                return items.get(0);
            }
            items.sort(Comparator.comparing(JsonNode::toString));
            ArrayNode out = NODES.arrayNode();
            items.stream().distinct().forEach(out::add);
            return out;
        }
        if (node.isTextual()) {
            String v = node.asText();
            if (inPrincipal && v.matches("\\d{12}")) {
                return TextNode.valueOf("arn:aws:iam::" + v + ":root");
            }
            if ("Action".equals(field) || "NotAction".equals(field)) {
                return TextNode.valueOf(v.toLowerCase(Locale.ROOT));
            }
        }
        return node;
    }
}
