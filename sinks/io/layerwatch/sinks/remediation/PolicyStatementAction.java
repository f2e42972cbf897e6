package io.layerwatch.sinks.remediation;

import static io.layerwatch.sinks.remediation.AuditRecord.RESULT_UNDONE;
import static io.layerwatch.sinks.remediation.AuditStates.policy;
import static io.layerwatch.sinks.remediation.AuditStates.unchanged;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.sinks.remediation.PolicyDocuments.Rewrite;
import java.util.List;

/** An action that rewrites the statements of a repository or registry policy, and its undo. */
abstract sealed class PolicyStatementAction implements RemediationAction
        permits QuarantineRepository, RemoveExposingStatements {

    /** The policy {@code current} without the action's own change of {@code original}. */
    abstract Rewrite revertOwnChange(AuditRecord original, String current);

    @Override
    public final Outcome undo(AuditRecord original, Target t, ActionContext cx, Attempts state) {
        String text = cx.ecr().read(t);
        JsonNode before = state.before(policy(text));
        String prior = original.before().path("policyText").asText(null);
        String left = original.after().path("policyText").asText(null);
        Rewrite rw =
                PolicyDocuments.same(text, left)
                        ? new Rewrite(true, prior, prior == null, List.of())
                        : revertOwnChange(original, text);
        if (!rw.changed()) {
            return new Outcome(
                    unchanged(before, text, "policyText", RESULT_UNDONE), before, policy(text));
        }
        if (rw.delete()) {
            if (text != null) {
                cx.ecr().delete(t);
            }
        } else {
            cx.ecr().write(t, rw.text());
        }
        return new Outcome(RESULT_UNDONE, before, policy(rw.delete() ? null : rw.text()));
    }

    /** The repository an audit record names by its ARN. */
    static Target repositoryOf(AuditRecord r) {
        return Target.repository(
                r.account(),
                r.region(),
                r.target().substring(r.target().indexOf(":repository/") + 12));
    }
}
