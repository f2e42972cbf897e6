package io.layerwatch.sinks.remediation;

import static io.layerwatch.sinks.remediation.AuditRecord.RESULT_EXECUTED;
import static io.layerwatch.sinks.remediation.AuditRecord.RESULT_NO_CHANGE;
import static io.layerwatch.sinks.remediation.AuditRecord.RESULT_UNDONE;
import static io.layerwatch.sinks.remediation.AuditStates.attachment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layerwatch.config.RemediationConfig;
import io.layerwatch.finding.Finding;
import java.time.Instant;
import java.util.Set;

/**
 * deny-layer-download: attaches the pre-created managed deny policy to the role or user. Undo
 * detaches it, unless it was attached before the action.
 */
final class DenyLayerDownload implements RemediationAction {
    static final DenyLayerDownload INSTANCE = new DenyLayerDownload();

    private DenyLayerDownload() {}

    @Override
    public ActionName name() {
        return ActionName.DENY_LAYER_DOWNLOAD;
    }

    @Override
    public Set<TargetKind> targetKinds() {
        return Set.of(TargetKind.ROLE, TargetKind.USER);
    }

    @Override
    public Target targetFor(Finding f, RemediationConfig config) throws NotApplicable {
        return Planner.principalTarget(f, config, targetKinds(), null);
    }

    @Override
    public void describeChange(
            ObjectNode change, ActionRequest r, RemediationConfig config, Instant now) {
        Target t = r.target();
        change.put("attachPolicyArn", config.denyPolicyArn(t.partition(), t.account()));
    }

    /** Attaches the pre-created deny policy; already attached (by anyone) is no change. */
    @Override
    public Outcome execute(ActionRequest r, ActionContext cx, Attempts state) {
        Target t = r.target();
        String arn = cx.config().denyPolicyArn(t.partition(), t.account());
        boolean attached = cx.iam().attached(t, arn);
        JsonNode before = state.before(attachment(t, arn, attached));
        if (!attached) {
            cx.iam().attach(t, arn, true);
        }
        // Attached now but not at the first attempt: an earlier attempt of this request attached
        // it.
        String result =
                attached && before.path("attached").asBoolean()
                        ? RESULT_NO_CHANGE
                        : RESULT_EXECUTED;
        return new Outcome(result, before, attachment(t, arn, true));
    }

    @Override
    public Target targetOf(AuditRecord r) {
        return Target.principal(r.account(), r.target());
    }

    /** Records written before the managed policy carry the inline policy they put. */
    @Override
    public Outcome undo(AuditRecord original, Target t, ActionContext cx, Attempts state) {
        return original.before().has("policyArn")
                ? undoAttach(original, t, cx, state)
                : RevokeSessions.undoInline(original, t, cx, state);
    }

    /** Detaches the deny policy the action attached (never one attached before it). */
    private static Outcome undoAttach(
            AuditRecord original, Target t, ActionContext cx, Attempts state) {
        String arn = original.before().path("policyArn").asText();
        boolean attached = cx.iam().attached(t, arn);
        JsonNode before = state.before(attachment(t, arn, attached));
        if (original.before().path("attached").asBoolean()) {
            return new Outcome(RESULT_NO_CHANGE, before, attachment(t, arn, attached));
        }
        if (attached) {
            cx.iam().attach(t, arn, false);
            return new Outcome(RESULT_UNDONE, before, attachment(t, arn, false));
        }
        // Gone: detached by an earlier attempt of this undo, or by someone else before it.
        return new Outcome(
                before.path("attached").asBoolean() ? RESULT_UNDONE : RESULT_NO_CHANGE,
                before,
                attachment(t, arn, false));
    }
}
