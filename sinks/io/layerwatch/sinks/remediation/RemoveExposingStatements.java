package io.layerwatch.sinks.remediation;

import static io.layerwatch.sinks.remediation.AuditRecord.RESULT_EXECUTED;
import static io.layerwatch.sinks.remediation.AuditStates.policy;
import static io.layerwatch.sinks.remediation.AuditStates.removed;
import static io.layerwatch.sinks.remediation.AuditStates.unchanged;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layerwatch.config.RemediationConfig;
import io.layerwatch.finding.Finding;
import io.layerwatch.sinks.remediation.PolicyDocuments.Rewrite;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * remove-exposing-statements: removes the Allow statements the finding names from the repository or
 * registry policy (deleting a policy left empty). Undo adds them back.
 */
final class RemoveExposingStatements extends PolicyStatementAction {
    static final RemoveExposingStatements INSTANCE = new RemoveExposingStatements();

    private RemoveExposingStatements() {}

    @Override
    public ActionName name() {
        return ActionName.REMOVE_EXPOSING_STATEMENTS;
    }

    @Override
    public Set<TargetKind> targetKinds() {
        return Set.of(TargetKind.REPOSITORY, TargetKind.REGISTRY);
    }

    @Override
    public Target targetFor(Finding f, RemediationConfig config) throws NotApplicable {
        if (Planner.exposingStatements(f).isEmpty()) {
            throw new NotApplicable(
                    "the finding carries no exposing policy statements (details.statements"
                            + " of repository-exposed, details.exposingStatements of endgame-ioc)");
        }
        String scope = Planner.detail(f, "policyScope");
        boolean registry =
                TargetKind.REGISTRY.wire().equals(scope)
                        || (scope == null
                                && (f.repository() == null || f.repository().name() == null));
        if (registry) {
            return Target.registry(Planner.registryAccount(f), f.region());
        }
        return Target.repository(Planner.registryAccount(f), f.region(), f.repository().name());
    }

    @Override
    public void describeChange(
            ObjectNode change, ActionRequest r, RemediationConfig config, Instant now) {
        change.put("scope", r.target().kind().wire());
        ArrayNode list = change.putArray("removeStatements");
        Planner.exposingStatements(r.finding()).forEach(list::add);
    }

    @Override
    public Outcome execute(ActionRequest r, ActionContext cx, Attempts state) {
        Target t = r.target();
        List<JsonNode> wanted = Planner.exposingStatements(r.finding());
        if (wanted.isEmpty()) {
            throw new ActionRejectedException("the finding names no exposing statements");
        }
        String text = cx.ecr().read(t);
        JsonNode before = state.before(policy(text));
        Rewrite rw = PolicyDocuments.removeStatements(text, wanted);
        if (rw.changed()) {
            if (rw.delete()) {
                cx.ecr().delete(t);
            } else {
                cx.ecr().write(t, rw.text());
            }
            return new Outcome(RESULT_EXECUTED, before, removed(rw.text(), rw.affected()));
        }
        // Nothing to remove now: either never there, or removed by an earlier attempt of this
        // request.
        String firstText = before.path("policyText").asText(null);
        List<JsonNode> earlier = PolicyDocuments.removeStatements(firstText, wanted).affected();
        return new Outcome(unchanged(before, text), before, removed(text, earlier));
    }

    /** The registry when the planned change says so, else the repository the record's ARN names. */
    @Override
    public Target targetOf(AuditRecord r) {
        String scope = r.change() == null ? null : r.change().path("scope").asText(null);
        return TargetKind.REGISTRY.wire().equals(scope)
                ? Target.registry(r.account(), r.region())
                : repositoryOf(r);
    }

    @Override
    Rewrite revertOwnChange(AuditRecord original, String current) {
        List<JsonNode> removed = new ArrayList<>();
        original.after().path("removedStatements").forEach(removed::add);
        return PolicyDocuments.addStatements(current, removed);
    }
}
