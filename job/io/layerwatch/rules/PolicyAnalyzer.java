package io.layerwatch.rules;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.config.Allowlist;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.util.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Finds the statements of an IAM resource policy (ECR repository or registry policy) that expose
 * the resource beyond the trusted accounts. Pure and total: malformed input yields an unparseable
 * result.
 *
 * <ul>
 *   <li>Only {@code Allow} statements expose.
 *   <li>PUBLIC: Principal {@code "*"} or {@code {"AWS":"*"}}, an ARN with a wildcard account, or
 *       NotPrincipal.
 *   <li>CROSS_ACCOUNT: an account id or IAM/STS ARN of an account that is neither the own nor a
 *       trusted one.
 *   <li>SERVICE_UNRESTRICTED: a Service or Federated principal.
 *   <li>None of these when a Condition pins aws:PrincipalOrgID, aws:PrincipalOrgPaths,
 *       aws:PrincipalAccount, aws:SourceAccount, aws:SourceVpce or aws:SourceArn to trusted values
 *       only.
 * </ul>
 */
public final class PolicyAnalyzer {

    /** How a statement exposes the resource, most severe first. */
    public enum Kind {
        PUBLIC,
        CROSS_ACCOUNT,
        SERVICE_UNRESTRICTED
    }

    /**
     * What counts as "ours": the event's own account, member accounts, the organization, VPC
     * endpoints.
     */
    public record TrustContext(
            String ownAccount,
            Set<String> trustedAccounts,
            String organizationId,
            Set<String> trustedVpcEndpoints) {

        public TrustContext {
            trustedAccounts = Set.copyOf(trustedAccounts);
            trustedVpcEndpoints = Set.copyOf(trustedVpcEndpoints);
        }

        public static TrustContext of(EcrEvent e, Allowlist allowlist) {
            return new TrustContext(
                    e.accountId(),
                    allowlist.trustedAccounts(),
                    allowlist.organizationId(),
                    allowlist.trustedVpcEndpoints());
        }

        public boolean trustedAccount(String accountId) {
            return accountId != null
                    && (accountId.equals(ownAccount) || trustedAccounts.contains(accountId));
        }
    }

    /** One exposing statement; {@code statement} is its JSON as written in the policy. */
    public record Offending(
            int index,
            String sid,
            Kind kind,
            Set<String> foreignAccounts,
            String reason,
            JsonNode statement) {

        /** The shape findings carry in their details. */
        public Map<String, Object> toDetail() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("index", index);
            if (sid != null) {
                m.put("sid", sid);
            }
            m.put("kind", kind.name());
            m.put("reason", reason);
            m.put("foreignAccounts", List.copyOf(foreignAccounts));
            m.put("statement", statement);
            return m;
        }
    }

    /**
     * The verdict on one policy text.
     *
     * @param parseable false when the text is missing or not a JSON object (then nothing else is
     *     known)
     * @param sids the Sid of every statement, by statement index (null where a statement has none)
     */
    public record Analysis(boolean parseable, List<String> sids, List<Offending> offending) {

        static final Analysis UNPARSEABLE = new Analysis(false, List.of(), List.of());

        public boolean exposes() {
            return !offending.isEmpty();
        }

        public boolean has(Kind kind) {
            return offending.stream().anyMatch(o -> o.kind() == kind);
        }

        /** The most severe kind found, or null when nothing exposes. */
        public Kind worst() {
            return offending.stream().map(Offending::kind).min(Enum::compareTo).orElse(null);
        }

        public Set<String> foreignAccounts() {
            Set<String> out = new LinkedHashSet<>();
            offending.forEach(o -> out.addAll(o.foreignAccounts()));
            return out;
        }

        /** Some statement carries this Sid (case-insensitive). */
        public boolean hasSid(String sid) {
            return sids.stream().anyMatch(s -> s != null && s.equalsIgnoreCase(sid));
        }

        public List<Map<String, Object>> details() {
            return offending.stream().map(Offending::toDetail).toList();
        }
    }

    private static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");

    /**
     * Condition keys (lower case) that limit who may use a statement, with the test each value must
     * pass.
     */
    private static final Map<String, ValueTest> LIMITING_KEYS =
            Map.of(
                    "aws:principalorgid", (v, t) -> literal(v) && v.equals(t.organizationId()),
                    "aws:principalorgpaths",
                            (v, t) ->
                                    t.organizationId() != null
                                            && v.split("/", 2)[0].equals(t.organizationId()),
                    "aws:principalaccount", (v, t) -> literal(v) && t.trustedAccount(v),
                    "aws:sourceaccount", (v, t) -> literal(v) && t.trustedAccount(v),
                    "aws:sourcevpce", (v, t) -> literal(v) && t.trustedVpcEndpoints().contains(v),
                    "aws:sourcearn", PolicyAnalyzer::trustedSourceArn);

    private interface ValueTest {
        boolean trusted(String value, TrustContext trust);
    }

    private PolicyAnalyzer() {}

    public static Analysis analyze(EcrEvent e, Allowlist allowlist) {
        return analyze(e.policyText(), TrustContext.of(e, allowlist));
    }

    public static Analysis analyze(String policyText, TrustContext trust) {
        JsonNode policy = Json.tree(policyText);
        if (policy == null || !policy.isObject()) {
            return Analysis.UNPARSEABLE;
        }
        List<String> sids = new ArrayList<>();
        List<Offending> offending = new ArrayList<>();
        List<JsonNode> statements = Json.elements(policy.get("Statement"));
        for (int i = 0; i < statements.size(); i++) {
            JsonNode statement = statements.get(i);
            String sid = text(statement.get("Sid"));
            sids.add(sid);
            Offending o = statement(i, sid, statement, trust);
            if (o != null) {
                offending.add(o);
            }
        }
        return new Analysis(true, Collections.unmodifiableList(sids), List.copyOf(offending));
    }

    /** The statement's exposure, or null when it exposes nothing. */
    private static Offending statement(
            int index, String sid, JsonNode statement, TrustContext trust) {
        if (!statement.isObject() || !"Allow".equalsIgnoreCase(text(statement.get("Effect")))) {
            return null;
        }
        Grants grants = new Grants();
        if (statement.has("NotPrincipal")) {
            grants.add(
                    Kind.PUBLIC,
                    null,
                    "NotPrincipal in an Allow statement grants everyone except the listed principals");
        }
        principals(statement.get("Principal"), trust, grants);
        if (grants.kind == null) {
            return null;
        }
        Limits limits = limits(statement.get("Condition"), trust);
        if (limits.pinned()) {
            return null;
        }
        String reason = String.join("; ", grants.reasons);
        if (!limits.loose().isEmpty()) {
            reason +=
                    " (condition on "
                            + String.join(", ", limits.loose())
                            + " does not limit it to trusted values)";
        }
        return new Offending(
                index,
                sid,
                grants.kind,
                Collections.unmodifiableSet(grants.accounts),
                reason,
                statement);
    }

    private static void principals(JsonNode principal, TrustContext trust, Grants grants) {
        for (JsonNode p : Json.elements(principal)) {
            String bare = text(p);
            if ("*".equals(bare)) {
                grants.add(
                        Kind.PUBLIC,
                        null,
                        "Principal \"*\" grants anyone, including anonymous callers");
            } else if (bare != null) {
                awsPrincipal(bare, trust, grants); // not valid IAM, but unambiguous
            }
            for (Map.Entry<String, JsonNode> typed : fields(p)) {
                String type = typed.getKey().toLowerCase(Locale.ROOT);
                for (JsonNode value : Json.elements(typed.getValue())) {
                    String v = text(value);
                    if (v != null) {
                        typedPrincipal(type, v, trust, grants);
                    }
                }
            }
        }
    }

    private static void typedPrincipal(String type, String v, TrustContext trust, Grants grants) {
        switch (type) {
            case "aws" -> awsPrincipal(v, trust, grants);
            case "service" ->
                    grants.add(
                            Kind.SERVICE_UNRESTRICTED,
                            null,
                            "service principal "
                                    + v
                                    + " is not limited by aws:SourceAccount/aws:SourceArn to trusted accounts (confused deputy)");
            case "federated" ->
                    grants.add(
                            Kind.SERVICE_UNRESTRICTED,
                            null,
                            "federated principal " + v + " is not limited to trusted accounts");
            default -> {} // CanonicalUser: not used by ECR
        }
    }

    private static void awsPrincipal(String v, TrustContext trust, Grants grants) {
        if ("*".equals(v)) {
            grants.add(Kind.PUBLIC, null, "Principal {\"AWS\":\"*\"} grants every AWS identity");
            return;
        }
        String account = ACCOUNT_ID.matcher(v).matches() ? v : arnAccount(v);
        if (account == null) {
            return; // unique id of a deleted principal, or not a principal at all
        }
        if (!literal(account)) {
            grants.add(Kind.PUBLIC, null, "principal " + v + " has a wildcard account");
        } else if (!trust.trustedAccount(account)) {
            grants.add(
                    Kind.CROSS_ACCOUNT,
                    account,
                    "principal "
                            + v
                            + " belongs to account "
                            + account
                            + " outside the trusted accounts");
        }
    }

    /**
     * The statement's limiting condition keys: pinned when one of them, under a restricting
     * operator, admits trusted values only; loose names those present that do not.
     */
    private record Limits(boolean pinned, Set<String> loose) {}

    private static Limits limits(JsonNode condition, TrustContext trust) {
        Set<String> loose = new LinkedHashSet<>();
        boolean pinned = false;
        for (Map.Entry<String, JsonNode> op : fields(condition)) {
            boolean restricting = restricts(op.getKey());
            for (Map.Entry<String, JsonNode> entry : fields(op.getValue())) {
                ValueTest test = LIMITING_KEYS.get(entry.getKey().toLowerCase(Locale.ROOT));
                if (test == null) {
                    continue;
                }
                List<String> values =
                        Json.elements(entry.getValue()).stream().map(PolicyAnalyzer::text).toList();
                if (restricting
                        && !values.isEmpty()
                        && values.stream().allMatch(v -> v != null && test.trusted(v, trust))) {
                    pinned = true;
                } else {
                    loose.add(entry.getKey());
                }
            }
        }
        return new Limits(pinned, loose);
    }

    /**
     * Whether a condition operator requires the key to match its values. Negated operators and Null
     * do not; nor do ...IfExists and ForAllValues:, which also pass when the key is absent from the
     * request.
     */
    private static boolean restricts(String operator) {
        String op = operator.toLowerCase(Locale.ROOT);
        if (op.startsWith("forallvalues:") || op.endsWith("ifexists")) {
            return false;
        }
        String base = op.startsWith("foranyvalue:") ? op.substring("foranyvalue:".length()) : op;
        return !base.equals("null") && !base.contains("not");
    }

    /**
     * arn:partition:service:region:ACCOUNT:resource, trusted when everything up to the account is
     * literal.
     */
    private static boolean trustedSourceArn(String arn, TrustContext trust) {
        String[] p = arn.split(":", 6);
        if (p.length < 6 || !"arn".equals(p[0])) {
            return false;
        }
        for (int i = 0; i < 5; i++) {
            if (!literal(p[i])) {
                return false;
            }
        }
        return trust.trustedAccount(p[4]);
    }

    /** The account of an IAM or STS ARN, possibly with wildcards; null when it is no such ARN. */
    private static String arnAccount(String arn) {
        String[] p = arn.split(":", 6);
        if (p.length < 6 || !p[0].equals("arn") || p[4].isEmpty()) {
            return null;
        }
        return p[4];
    }

    private static boolean literal(String value) {
        return value.indexOf('*') < 0 && value.indexOf('?') < 0;
    }

    private static List<Map.Entry<String, JsonNode>> fields(JsonNode node) {
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        if (node != null && node.isObject()) {
            node.fields().forEachRemaining(out::add);
        }
        return out;
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() || node.isContainerNode() ? null : node.asText();
    }

    /** What one statement's principals grant: the worst kind, foreign accounts, reasons. */
    private static final class Grants {
        Kind kind;
        final Set<String> accounts = new LinkedHashSet<>();
        final Set<String> reasons = new LinkedHashSet<>();

        void add(Kind k, String account, String reason) {
            kind = kind == null || k.compareTo(kind) < 0 ? k : kind;
            if (account != null) {
                accounts.add(account);
            }
            reasons.add(reason);
        }
    }
}
