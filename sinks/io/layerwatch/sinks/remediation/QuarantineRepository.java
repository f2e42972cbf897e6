package io.layerwatch.sinks.remediation;

import static io.layerwatch.sinks.remediation.AuditRecord.RESULT_EXECUTED;
import static io.layerwatch.sinks.remediation.AuditStates.policy;
import static io.layerwatch.sinks.remediation.AuditStates.unchanged;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layerwatch.config.RemediationConfig;
import io.layerwatch.finding.Finding;
import io.layerwatch.sinks.remediation.PolicyDocuments.Rewrite;
import java.time.Instant;
import java.util.Set;

/**
 * quarantine-repository: merges a Deny of the pull actions to everyone but the break-glass
 * principals into the repository policy, keeping its other statements. Undo removes that statement.
 */
final class QuarantineRepository extends PolicyStatementAction {
    static final QuarantineRepository INSTANCE = new QuarantineRepository();

    private QuarantineRepository() {}

    @Override
    public ActionName name() {
        return ActionName.QUARANTINE_REPOSITORY;
    }

    @Override
    public Set<TargetKind> targetKinds() {
        return Set.of(TargetKind.REPOSITORY);
    }

    @Override
    public Target targetFor(Finding f, RemediationConfig config) throws NotApplicable {
        if (f.repository() == null || f.repository().name() == null) {
            throw new NotApplicable("the finding names no repository");
        }
        return Target.repository(Planner.registryAccount(f), f.region(), f.repository().name());
    }

    @Override
    public void describeChange(
            ObjectNode change, ActionRequest r, RemediationConfig config, Instant now) {
        change.set(
                "mergeStatement",
                PolicyDocuments.quarantineStatement(config.breakGlassPrincipals()));
    }

    @Override
    public Outcome execute(ActionRequest r, ActionContext cx, Attempts state) {
        Target t = r.target();
        String text = cx.ecr().read(t);
        JsonNode before = state.before(policy(text));
        Rewrite rw =
                PolicyDocuments.mergeStatement(
                        text,
                        PolicyDocuments.quarantineStatement(cx.config().breakGlassPrincipals()));
        if (rw.changed()) {
            cx.ecr().write(t, rw.text());
            return new Outcome(RESULT_EXECUTED, before, policy(rw.text()));
        }
        return new Outcome(unchanged(before, text), before, policy(text));
    }

    @Override
    public Target targetOf(AuditRecord r) {
        return repositoryOf(r);
    }

    @Override
    Rewrite revertOwnChange(AuditRecord original, String current) {
        return PolicyDocuments.removeSid(current, PolicyDocuments.QUARANTINE_SID);
    }
}
