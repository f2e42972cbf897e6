package io.layerwatch.sinks.remediation;

import static io.layerwatch.config.RemediationConfig.NOTIFY;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.config.RemediationConfig;
import io.layerwatch.config.RemediationConfig.RuleMapping;
import io.layerwatch.finding.Finding;
import io.layerwatch.rules.EndgameIoc;
import io.layerwatch.rules.RepositoryExposed;
import io.layerwatch.util.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Turns a finding into action requests: the actions its rule maps to (at or above the mapping's
 * severity), or one action a person named (Security Hub custom action, {@code remediate --action}).
 * Pure: it decides what each action would change, or why it cannot apply, and nothing else.
 */
public final class Planner {

    /** Who asks when the streaming job acts on a rule mapping. */
    public static final String ACTOR_JOB = "layerwatch";

    public static final String TRIGGER_RULE = "rule";

    /** Finding details holding exposing statements: repository-exposed, endgame-ioc. */
    static final List<String> STATEMENT_DETAILS = List.of("statements", "exposingStatements");

    static final String ATTEMPT = EndgameIoc.ATTEMPT;
    static final String RESOURCE_ACCOUNT = RepositoryExposed.RESOURCE_ACCOUNT;

    private Planner() {}

    /**
     * The requests of the finding's rule mapping; none for unmapped rules, notify, or too low a
     * severity.
     */
    public static List<ActionRequest> forRule(Finding f, RemediationConfig config, String actor) {
        RuleMapping m = config.rule(f.ruleId());
        List<ActionRequest> out = new ArrayList<>();
        if (m == null || !m.admits(f.severity())) {
            return out;
        }
        for (String action : m.actions()) {
            if (!NOTIFY.equals(action)) {
                out.add(request(f, action, TRIGGER_RULE, actor, f.id() + "|" + action, config));
            }
        }
        return out;
    }

    /**
     * One request for {@code action} on the finding, with its target or the reason it does not
     * apply.
     */
    public static ActionRequest request(
            Finding f,
            String action,
            String trigger,
            String actor,
            String idempotencyKey,
            RemediationConfig config) {
        Target target = null;
        String problem = null;
        try {
            target = target(f, action, config);
        } catch (NotApplicable e) {
            problem = e.getMessage();
        }
        return new ActionRequest(
                idempotencyKey,
                action,
                trigger,
                actor,
                f.id(),
                f.ruleId(),
                f.severity(),
                reason(f),
                target,
                problem,
                withoutEvidence(f));
    }

    private static Target target(Finding f, String action, RemediationConfig config)
            throws NotApplicable {
        if (attempt(f)) {
            String errors =
                    detail(f, "errorCode") != null
                            ? detail(f, "errorCode")
                            : detail(f, "errorCodes");
            throw new NotApplicable(
                    "the finding comes from a failed call ("
                            + errors
                            + "): an attempt changed nothing, so there is nothing to undo");
        }
        RemediationAction a =
                RemediationAction.find(action)
                        .orElseThrow(() -> new NotApplicable("unknown action " + action));
        return a.targetFor(f, config);
    }

    /**
     * The IAM role or user the finding's principal is, when it is of one of {@code kinds} (else
     * {@code otherKind} says why not) and LayerWatch can act in its account.
     */
    static Target principalTarget(
            Finding f, RemediationConfig config, Set<TargetKind> kinds, String otherKind)
            throws NotApplicable {
        Finding.FindingPrincipal p = f.principal();
        String arn = p == null ? null : p.arn();
        TargetKind kind =
                arn == null
                        ? null
                        : arn.contains(":role/")
                                ? TargetKind.ROLE
                                : arn.contains(":user/") ? TargetKind.USER : null;
        if (kind == null || !arn.startsWith("arn:") || !arn.contains(":iam::")) {
            throw new NotApplicable("the principal " + arn + " is not an IAM role or user");
        }
        if (!kinds.contains(kind)) {
            throw new NotApplicable(otherKind);
        }
        String account = arn.split(":", 6)[4];
        if (!account.equals(f.accountId()) && config.roleFor(account) == null) {
            throw new NotApplicable(
                    "the principal belongs to account "
                            + account
                            + ", where LayerWatch has no role (remediation.assumeRole)");
        }
        return Target.principal(kind, account, arn);
    }

    /**
     * The exposing statements the finding carries (the statement objects themselves). Only Allow
     * statements: removing a Deny could only widen access, whatever a finding says.
     */
    public static List<JsonNode> exposingStatements(Finding f) {
        List<JsonNode> out = new ArrayList<>();
        if (f == null || f.details() == null) {
            return out;
        }
        for (String key : STATEMENT_DETAILS) {
            Object v = f.details().get(key);
            JsonNode list =
                    v instanceof String string
                            ? Json.tree(string)
                            : v == null ? null : Json.MAPPER.valueToTree(v);
            if (list == null || !list.isArray()) {
                continue;
            }
            for (JsonNode entry : list) {
                JsonNode statement = entry.get("statement");
                if (statement != null
                        && statement.isObject()
                        && "allow".equalsIgnoreCase(statement.path("Effect").asText(""))) {
                    out.add(statement);
                }
            }
            if (!out.isEmpty()) {
                return out;
            }
        }
        return out;
    }

    /** Findings marked {@code attempt} (their call failed) are never acted on. */
    static boolean attempt(Finding f) {
        Object v = f.details() == null ? null : f.details().get(ATTEMPT);
        return v != null && Boolean.parseBoolean(v.toString());
    }

    /**
     * The account whose repository or registry the finding is about: the one CloudTrail recorded it
     * in (details.resourceAccountId from the event's {@code resources}, else the recipient
     * account). A registry named only by a request parameter is not trusted: when it differs,
     * nothing applies.
     */
    static String registryAccount(Finding f) throws NotApplicable {
        String recorded =
                detail(f, RESOURCE_ACCOUNT) != null ? detail(f, RESOURCE_ACCOUNT) : f.accountId();
        String named = f.repository() == null ? null : f.repository().registryId();
        if (named != null && !named.equals(recorded)) {
            throw new NotApplicable(
                    "the request names registry "
                            + named
                            + " but CloudTrail recorded the call in account "
                            + recorded);
        }
        return recorded;
    }

    static String detail(Finding f, String key) {
        Object v = f.details() == null ? null : f.details().get(key);
        return v == null ? null : v.toString();
    }

    static String reason(Finding f) {
        return f.severity()
                + " "
                + f.ruleId()
                + ": "
                + (f.title() == null ? "" : f.title())
                + " (finding "
                + f.id()
                + ")";
    }

    /** The finding without its raw evidence (requests and dead letters stay small). */
    static Finding withoutEvidence(Finding f) {
        return f.withUpdate(
                f.eventCount(), f.lastEventTime(), f.eventIds(), f.details(), List.of());
    }
}
