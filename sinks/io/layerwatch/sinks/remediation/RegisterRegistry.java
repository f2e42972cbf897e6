package io.layerwatch.sinks.remediation;

import static io.layerwatch.sinks.remediation.AuditRecord.RESULT_EXECUTED;
import static io.layerwatch.sinks.remediation.AuditRecord.RESULT_NO_CHANGE;
import static io.layerwatch.sinks.remediation.AuditRecord.RESULT_UNDONE;
import static io.layerwatch.sinks.remediation.AuditStates.enrollment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layerwatch.config.RemediationConfig;
import io.layerwatch.config.RemediationConfig.ActionSettings;
import io.layerwatch.finding.Finding;
import io.layerwatch.sinks.remediation.AssessmentApi.Connection;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * register-registry: enrolls the registry in the image assessment service (a connection with the
 * configured role). Undo deletes the connection the action created, never one it found.
 */
final class RegisterRegistry implements RemediationAction {
    static final RegisterRegistry INSTANCE = new RegisterRegistry();

    private RegisterRegistry() {}

    @Override
    public ActionName name() {
        return ActionName.REGISTER_REGISTRY;
    }

    @Override
    public Set<TargetKind> targetKinds() {
        return Set.of(TargetKind.REGISTRY);
    }

    @Override
    public Target targetFor(Finding f, RemediationConfig config) throws NotApplicable {
        String account =
                Planner.detail(f, "registryAccountId") != null
                        ? Planner.detail(f, "registryAccountId")
                        : Planner.registryAccount(f);
        String region =
                Planner.detail(f, "registryRegion") != null
                        ? Planner.detail(f, "registryRegion")
                        : f.region();
        if (account == null || region == null) {
            throw new NotApplicable("the finding names no registry account and region");
        }
        return Target.registry(account, region);
    }

    @Override
    public void describeChange(
            ObjectNode change, ActionRequest r, RemediationConfig config, Instant now) {
        Target t = r.target();
        change.put("registry", AssessmentApi.registryUrl(t.account(), t.region()));
        change.put("connectionRoleArn", connectionRole(config, t.account()));
    }

    @Override
    public Outcome execute(ActionRequest r, ActionContext cx, Attempts state) throws Exception {
        Target t = r.target();
        String url = AssessmentApi.registryUrl(t.account(), t.region());
        Optional<Connection> existing = cx.assessment().find(url);
        JsonNode before = state.before(enrollment(url, existing.orElse(null), false));
        if (existing.isPresent()) {
            boolean createdEarlier = !before.path("enrolled").asBoolean();
            return new Outcome(
                    createdEarlier ? RESULT_EXECUTED : RESULT_NO_CHANGE,
                    before,
                    enrollment(url, existing.get(), createdEarlier));
        }
        ActionSettings s = cx.config().action(name().wire());
        Connection created =
                cx.assessment()
                        .create(
                                t.account(),
                                t.region(),
                                connectionRole(cx.config(), t.account()),
                                s.option("externalId"));
        return new Outcome(RESULT_EXECUTED, before, enrollment(url, created, true));
    }

    @Override
    public Target targetOf(AuditRecord r) {
        return Target.registry(r.account(), r.region());
    }

    /**
     * Deletes the connection the action created (never one it found, nor one created by others
     * since).
     */
    @Override
    public Outcome undo(AuditRecord original, Target t, ActionContext cx, Attempts state)
            throws Exception {
        String url = AssessmentApi.registryUrl(t.account(), t.region());
        Optional<Connection> existing = cx.assessment().find(url);
        JsonNode before = state.before(enrollment(url, existing.orElse(null), false));
        String createdId = original.after().path("connectionId").asText(null);
        if (!original.after().path("created").asBoolean()) {
            return new Outcome(RESULT_NO_CHANGE, before, before);
        }
        if (existing.isEmpty()) {
            // Gone: deleted by an earlier attempt of this undo, or by someone else before it.
            return new Outcome(
                    before.path("enrolled").asBoolean() ? RESULT_UNDONE : RESULT_NO_CHANGE,
                    before,
                    enrollment(url, null, false));
        }
        if (createdId != null && !createdId.equals(existing.get().id())) {
            return new Outcome(RESULT_NO_CHANGE, before, before);
        }
        cx.assessment().delete(existing.get().id());
        return new Outcome(RESULT_UNDONE, before, enrollment(url, null, false));
    }

    static String connectionRole(RemediationConfig config, String account) {
        String template =
                config.action(ActionName.REGISTER_REGISTRY.wire()).option("connectionRoleArn");
        return template == null
                ? null
                : template.replace(RemediationConfig.ACCOUNT_PLACEHOLDER, account);
    }
}
