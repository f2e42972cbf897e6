package io.layerwatch.sinks.remediation;

import static io.layerwatch.sinks.remediation.AuditRecord.RESULT_EXECUTED;
import static io.layerwatch.sinks.remediation.AuditRecord.RESULT_UNDONE;
import static io.layerwatch.sinks.remediation.AuditStates.inlinePolicy;
import static io.layerwatch.sinks.remediation.AuditStates.unchanged;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layerwatch.config.RemediationConfig;
import io.layerwatch.finding.Finding;
import io.layerwatch.util.Json;
import java.time.Instant;
import java.util.Set;

/**
 * revoke-sessions: puts the role's inline policy denying everything to credentials issued before
 * now. Undo restores the inline policy the role had before (or none).
 */
final class RevokeSessions implements RemediationAction {
    static final RevokeSessions INSTANCE = new RevokeSessions();

    private RevokeSessions() {}

    @Override
    public ActionName name() {
        return ActionName.REVOKE_SESSIONS;
    }

    @Override
    public Set<TargetKind> targetKinds() {
        return Set.of(TargetKind.ROLE);
    }

    @Override
    public Target targetFor(Finding f, RemediationConfig config) throws NotApplicable {
        return Planner.principalTarget(
                f,
                config,
                targetKinds(),
                "revoke-sessions applies to roles; deactivate the user's access keys instead");
    }

    @Override
    public void describeChange(
            ObjectNode change, ActionRequest r, RemediationConfig config, Instant now) {
        change.put("policyName", PolicyDocuments.REVOKE_SESSIONS_POLICY);
        change.set("policyDocument", Json.tree(PolicyDocuments.revokeSessionsPolicy(now)));
        RemediationConfig.AccountRole role = config.revokeSessionsRoleFor(r.target().account());
        if (role != null) {
            change.put("assumeRole", role.roleArn());
        }
    }

    /** A new deny of older tokens every time: its time is the point of it. */
    @Override
    public Outcome execute(ActionRequest r, ActionContext cx, Attempts state) {
        Target t = r.target();
        String document = PolicyDocuments.revokeSessionsPolicy(cx.clock().instant());
        String policyName = PolicyDocuments.REVOKE_SESSIONS_POLICY;
        JsonNode before = state.before(inlinePolicy(t, policyName, cx.iam().inline(t, policyName)));
        cx.iam().putInline(t, policyName, document);
        return new Outcome(RESULT_EXECUTED, before, inlinePolicy(t, policyName, document));
    }

    @Override
    public Target targetOf(AuditRecord r) {
        return Target.principal(r.account(), r.target());
    }

    @Override
    public Outcome undo(AuditRecord original, Target t, ActionContext cx, Attempts state) {
        return undoInline(original, t, cx, state);
    }

    /**
     * Restores the inline policy a record's "before" names (deleting it when there was none): the
     * undo of revoke-sessions, and of deny-layer-download records written before the managed
     * policy.
     */
    static Outcome undoInline(AuditRecord original, Target t, ActionContext cx, Attempts state) {
        String policyName = original.before().path("policyName").asText();
        String current = cx.iam().inline(t, policyName);
        JsonNode before = state.before(inlinePolicy(t, policyName, current));
        String prior = original.before().path("policyDocument").asText(null);
        if (PolicyDocuments.same(current, prior) && (current == null || current.equals(prior))) {
            return new Outcome(
                    unchanged(before, current, "policyDocument", RESULT_UNDONE),
                    before,
                    inlinePolicy(t, policyName, current));
        }
        if (prior == null) {
            cx.iam().deleteInline(t, policyName);
        } else {
            cx.iam().putInline(t, policyName, prior);
        }
        return new Outcome(RESULT_UNDONE, before, inlinePolicy(t, policyName, prior));
    }
}
