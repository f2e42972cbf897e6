package io.layerwatch.sinks.remediation;

import static io.layerwatch.config.RemediationConfig.DENY_LAYER_DOWNLOAD;
import static io.layerwatch.config.RemediationConfig.QUARANTINE_REPOSITORY;
import static io.layerwatch.config.RemediationConfig.REGISTER_REGISTRY;
import static io.layerwatch.config.RemediationConfig.REMOVE_EXPOSING_STATEMENTS;
import static io.layerwatch.config.RemediationConfig.REVOKE_SESSIONS;
import static io.layerwatch.sinks.remediation.AuditRecord.RESULT_EXECUTED;
import static io.layerwatch.sinks.remediation.AuditRecord.RESULT_NO_CHANGE;
import static io.layerwatch.sinks.remediation.AuditRecord.RESULT_UNDONE;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layerwatch.config.RemediationConfig;
import io.layerwatch.config.RemediationConfig.ActionSettings;
import io.layerwatch.sinks.aws.AwsClientSettings;
import io.layerwatch.sinks.remediation.AssessmentApi.Connection;
import io.layerwatch.sinks.remediation.PolicyDocuments.Rewrite;
import io.layerwatch.util.Json;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.DeleteRegistryPolicyRequest;
import software.amazon.awssdk.services.ecr.model.DeleteRepositoryPolicyRequest;
import software.amazon.awssdk.services.ecr.model.GetRegistryPolicyRequest;
import software.amazon.awssdk.services.ecr.model.GetRepositoryPolicyRequest;
import software.amazon.awssdk.services.ecr.model.PutRegistryPolicyRequest;
import software.amazon.awssdk.services.ecr.model.RegistryPolicyNotFoundException;
import software.amazon.awssdk.services.ecr.model.RepositoryPolicyNotFoundException;
import software.amazon.awssdk.services.ecr.model.SetRepositoryPolicyRequest;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AttachRolePolicyRequest;
import software.amazon.awssdk.services.iam.model.AttachUserPolicyRequest;
import software.amazon.awssdk.services.iam.model.AttachedPolicy;
import software.amazon.awssdk.services.iam.model.DeleteRolePolicyRequest;
import software.amazon.awssdk.services.iam.model.DeleteUserPolicyRequest;
import software.amazon.awssdk.services.iam.model.DetachRolePolicyRequest;
import software.amazon.awssdk.services.iam.model.DetachUserPolicyRequest;
import software.amazon.awssdk.services.iam.model.GetRolePolicyRequest;
import software.amazon.awssdk.services.iam.model.GetUserPolicyRequest;
import software.amazon.awssdk.services.iam.model.ListAttachedRolePoliciesRequest;
import software.amazon.awssdk.services.iam.model.ListAttachedUserPoliciesRequest;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.iam.model.PutRolePolicyRequest;
import software.amazon.awssdk.services.iam.model.PutUserPolicyRequest;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;

/**
 * Executes one attempt of an action, or of its undo, through the AWS SDK v2 (and the assessment
 * service's HTTP API). Every action reads the current state first and writes only when it differs
 * from the desired one, so repeating an attempt (a retry, a restart) is harmless. The first state read
 * for a request is kept across its attempts ({@link Attempts}), so an attempt whose write went through
 * but whose response was lost still reports the true state before.
 *
 * <p>Exceptions propagate to the caller, which classifies them like the delivery layer does
 * (throttling, 5xx, timeouts and connection errors retried; the rest final).
 */
public final class ActionExecutor implements AutoCloseable {

    /** What one attempt found and did. */
    public record Outcome(String result, JsonNode before, JsonNode after) {}

    /** State kept over the attempts of one request: the first "before" read. */
    public static final class Attempts {
        private JsonNode firstBefore;

        JsonNode before(JsonNode current) {
            if (firstBefore == null) {
                firstBefore = current;
            }
            return firstBefore;
        }

        /** The state the first attempt read, or null when no attempt got that far. */
        public JsonNode firstBefore() {
            return firstBefore;
        }
    }

    private final RemediationConfig config;
    private final AwsAccess aws;
    private final Clock clock;
    private AssessmentApi assessment;

    public ActionExecutor(RemediationConfig config, AwsClientSettings settings, Clock clock) {
        this.config = config;
        this.aws = new AwsAccess(config, settings);
        this.clock = clock;
    }

    // ---- actions ------------------------------------------------------------------------------------------------

    public Outcome execute(ActionRequest r, Attempts state) throws Exception {
        Target t = r.target();
        switch (r.action()) {
            case QUARANTINE_REPOSITORY:
                return quarantine(t, state);
            case REMOVE_EXPOSING_STATEMENTS:
                return removeStatements(t, Planner.exposingStatements(r.finding()), state);
            case DENY_LAYER_DOWNLOAD:
                return attachDenyPolicy(t, state);
            case REVOKE_SESSIONS:
                return revokeSessions(t, PolicyDocuments.revokeSessionsPolicy(clock.instant()), state);
            case REGISTER_REGISTRY:
                return register(t, state);
            default:
                throw new ActionRejectedException("no executor for action " + r.action());
        }
    }

    /**
     * What the action will write, computed without any call: shown by dry runs and plans and kept in
     * the audit record.
     */
    public static JsonNode plannedChange(ActionRequest r, RemediationConfig config, java.time.Instant now) {
        Target t = r.target();
        if (t == null) {
            return null;
        }
        ObjectNode c = Json.MAPPER.createObjectNode();
        switch (r.action()) {
            case QUARANTINE_REPOSITORY:
                c.set("mergeStatement", PolicyDocuments.quarantineStatement(config.breakGlassPrincipals()));
                break;
            case REMOVE_EXPOSING_STATEMENTS:
                c.put("scope", t.kind());
                ArrayNode list = c.putArray("removeStatements");
                Planner.exposingStatements(r.finding()).forEach(list::add);
                break;
            case DENY_LAYER_DOWNLOAD:
                c.put("attachPolicyArn", config.denyPolicyArn(t.partition(), t.account()));
                break;
            case REVOKE_SESSIONS:
                c.put("policyName", PolicyDocuments.REVOKE_SESSIONS_POLICY);
                c.set("policyDocument", Json.tree(PolicyDocuments.revokeSessionsPolicy(now)));
                RemediationConfig.AccountRole role = config.revokeSessionsRoleFor(t.account());
                if (role != null) {
                    c.put("assumeRole", role.roleArn());
                }
                break;
            case REGISTER_REGISTRY:
                c.put("registry", AssessmentApi.registryUrl(t.account(), t.region()));
                c.put("connectionRoleArn", connectionRole(config, t.account()));
                break;
            default:
                return null;
        }
        return c;
    }

    private Outcome quarantine(Target t, Attempts state) {
        String text = repositoryPolicy(t);
        JsonNode before = state.before(policy(text));
        Rewrite rw = PolicyDocuments.mergeStatement(text, PolicyDocuments.quarantineStatement(config.breakGlassPrincipals()));
        if (rw.changed()) {
            setRepositoryPolicy(t, rw.text());
            return new Outcome(RESULT_EXECUTED, before, policy(rw.text()));
        }
        return new Outcome(unchanged(before, text), before, policy(text));
    }

    private Outcome removeStatements(Target t, List<JsonNode> wanted, Attempts state) {
        if (wanted.isEmpty()) {
            throw new ActionRejectedException("the finding names no exposing statements");
        }
        boolean registry = Target.REGISTRY.equals(t.kind());
        String text = registry ? registryPolicy(t) : repositoryPolicy(t);
        JsonNode before = state.before(policy(text));
        Rewrite rw = PolicyDocuments.removeStatements(text, wanted);
        if (rw.changed()) {
            if (rw.delete()) {
                if (registry) {
                    ecr(t).deleteRegistryPolicy(aws.as(DeleteRegistryPolicyRequest.builder(), t.account()).build());
                } else {
                    ecr(t).deleteRepositoryPolicy(aws.as(DeleteRepositoryPolicyRequest.builder(), t.account())
                            .registryId(t.account()).repositoryName(t.repository()).build());
                }
            } else if (registry) {
                ecr(t).putRegistryPolicy(aws.as(PutRegistryPolicyRequest.builder(), t.account())
                        .policyText(rw.text()).build());
            } else {
                setRepositoryPolicy(t, rw.text());
            }
            return new Outcome(RESULT_EXECUTED, before, removed(rw.text(), rw.affected()));
        }
        // Nothing to remove now: either never there, or removed by an earlier attempt of this request.
        String firstText = before.path("policyText").asText(null);
        List<JsonNode> earlier = PolicyDocuments.removeStatements(firstText, wanted).affected();
        return new Outcome(unchanged(before, text), before, removed(text, earlier));
    }

    /** Attaches the pre-created deny policy; already attached (by anyone) is no change. */
    private Outcome attachDenyPolicy(Target t, Attempts state) {
        String arn = config.denyPolicyArn(t.partition(), t.account());
        boolean attached = attached(t, arn);
        JsonNode before = state.before(attachment(t, arn, attached));
        if (!attached) {
            attach(t, arn, true);
        }
        // Attached now but not at the first attempt: an earlier attempt of this request attached it.
        String result = attached && before.path("attached").asBoolean() ? RESULT_NO_CHANGE : RESULT_EXECUTED;
        return new Outcome(result, before, attachment(t, arn, true));
    }

    /** A new deny of older tokens every time: its time is the point of it. */
    private Outcome revokeSessions(Target t, String document, Attempts state) {
        String policyName = PolicyDocuments.REVOKE_SESSIONS_POLICY;
        JsonNode before = state.before(inlineState(t, policyName, inline(t, policyName)));
        putInline(t, policyName, document);
        return new Outcome(RESULT_EXECUTED, before, inlineState(t, policyName, document));
    }

    private Outcome register(Target t, Attempts state) throws Exception {
        String url = AssessmentApi.registryUrl(t.account(), t.region());
        Optional<Connection> existing = assessment().find(url);
        JsonNode before = state.before(enrollment(url, existing.orElse(null), false));
        if (existing.isPresent()) {
            boolean createdEarlier = !before.path("enrolled").asBoolean();
            return new Outcome(createdEarlier ? RESULT_EXECUTED : RESULT_NO_CHANGE, before,
                    enrollment(url, existing.get(), createdEarlier));
        }
        ActionSettings s = config.action(REGISTER_REGISTRY);
        Connection created = assessment().create(t.account(), t.region(), connectionRole(config, t.account()),
                s.option("externalId"));
        return new Outcome(RESULT_EXECUTED, before, enrollment(url, created, true));
    }

    // ---- undo -----------------------------------------------------------------------------------------------------

    /**
     * Reverts an executed record. When the target is still exactly as the action left it, the state
     * before is restored verbatim (the exact prior policy text, or no policy); when someone changed it
     * since, only LayerWatch's own change is reverted (its Sid removed, the removed statements added
     * back, its inline policy restored) and the rest is left alone.
     */
    public Outcome undo(AuditRecord original, Attempts state) throws Exception {
        Target t = targetOf(original);
        switch (original.action()) {
            case QUARANTINE_REPOSITORY:
            case REMOVE_EXPOSING_STATEMENTS:
                return undoPolicy(original, t, state);
            case DENY_LAYER_DOWNLOAD:
                // Records written before the managed policy carry the inline policy they put.
                return original.before().has("policyArn") ? undoAttach(original, t, state)
                        : undoInline(original, t, state);
            case REVOKE_SESSIONS:
                return undoInline(original, t, state);
            case REGISTER_REGISTRY:
                return undoRegister(original, t, state);
            default:
                throw new ActionRejectedException("cannot undo action " + original.action());
        }
    }

    private Outcome undoPolicy(AuditRecord original, Target t, Attempts state) {
        boolean registry = Target.REGISTRY.equals(t.kind());
        String text = registry ? registryPolicy(t) : repositoryPolicy(t);
        JsonNode before = state.before(policy(text));
        String prior = original.before().path("policyText").asText(null);
        String left = original.after().path("policyText").asText(null);
        Rewrite rw;
        if (PolicyDocuments.same(text, left)) {
            rw = new Rewrite(true, prior, prior == null, List.of());
        } else if (QUARANTINE_REPOSITORY.equals(original.action())) {
            rw = PolicyDocuments.removeSid(text, PolicyDocuments.QUARANTINE_SID);
        } else {
            List<JsonNode> removed = new ArrayList<>();
            original.after().path("removedStatements").forEach(removed::add);
            rw = PolicyDocuments.addStatements(text, removed);
        }
        if (!rw.changed()) {
            return new Outcome(unchanged(before, text, "policyText", RESULT_UNDONE), before, policy(text));
        }
        if (rw.delete()) {
            if (text != null) {
                if (registry) {
                    ecr(t).deleteRegistryPolicy(aws.as(DeleteRegistryPolicyRequest.builder(), t.account()).build());
                } else {
                    ecr(t).deleteRepositoryPolicy(aws.as(DeleteRepositoryPolicyRequest.builder(), t.account())
                            .registryId(t.account()).repositoryName(t.repository()).build());
                }
            }
        } else if (registry) {
            ecr(t).putRegistryPolicy(aws.as(PutRegistryPolicyRequest.builder(), t.account()).policyText(rw.text()).build());
        } else {
            setRepositoryPolicy(t, rw.text());
        }
        return new Outcome(RESULT_UNDONE, before, policy(rw.delete() ? null : rw.text()));
    }

    private Outcome undoInline(AuditRecord original, Target t, Attempts state) {
        String policyName = original.before().path("policyName").asText();
        String current = inline(t, policyName);
        JsonNode before = state.before(inlineState(t, policyName, current));
        String prior = original.before().path("policyDocument").asText(null);
        if (PolicyDocuments.same(current, prior) && (current == null || current.equals(prior))) {
            return new Outcome(unchanged(before, current, "policyDocument", RESULT_UNDONE), before,
                    inlineState(t, policyName, current));
        }
        if (prior == null) {
            deleteInline(t, policyName);
        } else {
            putInline(t, policyName, prior);
        }
        return new Outcome(RESULT_UNDONE, before, inlineState(t, policyName, prior));
    }

    /** Detaches the deny policy the action attached (never one attached before it). */
    private Outcome undoAttach(AuditRecord original, Target t, Attempts state) {
        String arn = original.before().path("policyArn").asText();
        boolean attached = attached(t, arn);
        JsonNode before = state.before(attachment(t, arn, attached));
        if (original.before().path("attached").asBoolean()) {
            return new Outcome(RESULT_NO_CHANGE, before, attachment(t, arn, attached));
        }
        if (attached) {
            attach(t, arn, false);
            return new Outcome(RESULT_UNDONE, before, attachment(t, arn, false));
        }
        // Gone: detached by an earlier attempt of this undo, or by someone else before it.
        return new Outcome(before.path("attached").asBoolean() ? RESULT_UNDONE : RESULT_NO_CHANGE, before,
                attachment(t, arn, false));
    }

    /** Deletes the connection the action created (never one it found, nor one created by others since). */
    private Outcome undoRegister(AuditRecord original, Target t, Attempts state) throws Exception {
        String url = AssessmentApi.registryUrl(t.account(), t.region());
        Optional<Connection> existing = assessment().find(url);
        JsonNode before = state.before(enrollment(url, existing.orElse(null), false));
        String createdId = original.after().path("connectionId").asText(null);
        if (!original.after().path("created").asBoolean()) {
            return new Outcome(RESULT_NO_CHANGE, before, before);
        }
        if (existing.isEmpty()) {
            // Gone: deleted by an earlier attempt of this undo, or by someone else before it.
            return new Outcome(before.path("enrolled").asBoolean() ? RESULT_UNDONE : RESULT_NO_CHANGE, before,
                    enrollment(url, null, false));
        }
        if (createdId != null && !createdId.equals(existing.get().id())) {
            return new Outcome(RESULT_NO_CHANGE, before, before);
        }
        assessment().delete(existing.get().id());
        return new Outcome(RESULT_UNDONE, before, enrollment(url, null, false));
    }

    /** The target an audit record names (repository ARN, registry host or principal ARN). */
    static Target targetOf(AuditRecord r) {
        switch (r.action()) {
            case QUARANTINE_REPOSITORY:
                return Target.repository(r.account(), r.region(), r.target().substring(r.target().indexOf(":repository/") + 12));
            case REMOVE_EXPOSING_STATEMENTS:
                return Target.REGISTRY.equals(r.change() == null ? null : r.change().path("scope").asText(null))
                        ? Target.registry(r.account(), r.region())
                        : Target.repository(r.account(), r.region(),
                                r.target().substring(r.target().indexOf(":repository/") + 12));
            case REGISTER_REGISTRY:
                return Target.registry(r.account(), r.region());
            default:
                return Target.principal(r.target().contains(":user/") ? Target.USER : Target.ROLE, r.account(), r.target());
        }
    }

    // ---- ECR and IAM calls ----------------------------------------------------------------------------------------

    private EcrClient ecr(Target t) {
        return aws.ecr(t.region());
    }

    /** The repository policy text exactly as ECR returns it, or null when the repository has none. */
    private String repositoryPolicy(Target t) {
        try {
            return ecr(t).getRepositoryPolicy(aws.as(GetRepositoryPolicyRequest.builder(), t.account())
                    .registryId(t.account()).repositoryName(t.repository()).build()).policyText();
        } catch (RepositoryPolicyNotFoundException e) {
            return null;
        }
    }

    private String registryPolicy(Target t) {
        try {
            return ecr(t).getRegistryPolicy(aws.as(GetRegistryPolicyRequest.builder(), t.account()).build()).policyText();
        } catch (RegistryPolicyNotFoundException e) {
            return null;
        }
    }

    private void setRepositoryPolicy(Target t, String text) {
        ecr(t).setRepositoryPolicy(aws.as(SetRepositoryPolicyRequest.builder(), t.account())
                .registryId(t.account()).repositoryName(t.repository()).policyText(text).build());
    }

    /** Whether the managed policy is attached to the role or user (every page of its attached policies). */
    private boolean attached(Target t, String policyArn) {
        IamClient iam = aws.iam();
        Stream<AttachedPolicy> all = Target.ROLE.equals(t.kind())
                ? iam.listAttachedRolePoliciesPaginator(aws.as(ListAttachedRolePoliciesRequest.builder(), t.account())
                        .roleName(t.principalName()).build()).attachedPolicies().stream()
                : iam.listAttachedUserPoliciesPaginator(aws.as(ListAttachedUserPoliciesRequest.builder(), t.account())
                        .userName(t.principalName()).build()).attachedPolicies().stream();
        return all.anyMatch(p -> policyArn.equals(p.policyArn()));
    }

    /** Attaches ({@code on}) or detaches the managed policy; detaching one that is not attached is no error. */
    private void attach(Target t, String policyArn, boolean on) {
        IamClient iam = aws.iam();
        String name = t.principalName();
        String account = t.account();
        Runnable call;
        if (Target.ROLE.equals(t.kind())) {
            call = on
                    ? () -> iam.attachRolePolicy(aws.as(AttachRolePolicyRequest.builder(), account)
                            .roleName(name).policyArn(policyArn).build())
                    : () -> iam.detachRolePolicy(aws.as(DetachRolePolicyRequest.builder(), account)
                            .roleName(name).policyArn(policyArn).build());
        } else {
            call = on
                    ? () -> iam.attachUserPolicy(aws.as(AttachUserPolicyRequest.builder(), account)
                            .userName(name).policyArn(policyArn).build())
                    : () -> iam.detachUserPolicy(aws.as(DetachUserPolicyRequest.builder(), account)
                            .userName(name).policyArn(policyArn).build());
        }
        try {
            call.run();
        } catch (NoSuchEntityException e) {
            if (on) {
                throw e;
            }
            // not attached (any more)
        }
    }

    /** An inline policy of the role or user (IAM returns it URL-encoded), or null when it has none by that name. */
    private String inline(Target t, String policyName) {
        IamClient iam = aws.iam();
        try {
            String encoded = Target.ROLE.equals(t.kind())
                    ? iam.getRolePolicy(aws.asInlinePolicyWriter(GetRolePolicyRequest.builder(), t.account())
                            .roleName(t.principalName()).policyName(policyName).build()).policyDocument()
                    : iam.getUserPolicy(aws.asInlinePolicyWriter(GetUserPolicyRequest.builder(), t.account())
                            .userName(t.principalName()).policyName(policyName).build()).policyDocument();
            return encoded == null ? null : URLDecoder.decode(encoded, StandardCharsets.UTF_8);
        } catch (NoSuchEntityException e) {
            return null;
        }
    }

    private void putInline(Target t, String policyName, String document) {
        IamClient iam = aws.iam();
        if (Target.ROLE.equals(t.kind())) {
            iam.putRolePolicy(aws.asInlinePolicyWriter(PutRolePolicyRequest.builder(), t.account())
                    .roleName(t.principalName()).policyName(policyName).policyDocument(document).build());
        } else {
            iam.putUserPolicy(aws.asInlinePolicyWriter(PutUserPolicyRequest.builder(), t.account())
                    .userName(t.principalName()).policyName(policyName).policyDocument(document).build());
        }
    }

    private void deleteInline(Target t, String policyName) {
        IamClient iam = aws.iam();
        try {
            if (Target.ROLE.equals(t.kind())) {
                iam.deleteRolePolicy(aws.asInlinePolicyWriter(DeleteRolePolicyRequest.builder(), t.account())
                        .roleName(t.principalName()).policyName(policyName).build());
            } else {
                iam.deleteUserPolicy(aws.asInlinePolicyWriter(DeleteUserPolicyRequest.builder(), t.account())
                        .userName(t.principalName()).policyName(policyName).build());
            }
        } catch (NoSuchEntityException e) {
            // already gone
        }
    }

    private synchronized AssessmentApi assessment() {
        if (assessment == null) {
            ActionSettings s = config.action(REGISTER_REGISTRY);
            String secretArn = s.option("secretArn");
            if (secretArn == null) {
                throw new ActionRejectedException("remediation.actions.register-registry.secretArn is not set");
            }
            assessment = new AssessmentApi(() -> AssessmentApi.parseSecret(aws.secrets(regionOf(secretArn))
                    .getSecretValue(GetSecretValueRequest.builder().secretId(secretArn).build()).secretString()),
                    s.option("tokenPath"), s.option("registriesPath"), s.duration("timeout", Duration.ofSeconds(10)),
                    clock);
        }
        return assessment;
    }

    static String connectionRole(RemediationConfig config, String account) {
        String template = config.action(REGISTER_REGISTRY).option("connectionRoleArn");
        return template == null ? null : template.replace(RemediationConfig.ACCOUNT_PLACEHOLDER, account);
    }

    /** The region of an ARN (arn:aws:secretsmanager:REGION:...), or null for the default region. */
    static String regionOf(String arn) {
        String[] p = arn.split(":", 6);
        return p.length > 3 && p[0].equals("arn") && !p[3].isEmpty() ? p[3] : null;
    }

    // ---- audit state ------------------------------------------------------------------------------------------

    private static ObjectNode policy(String text) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        if (text == null) {
            n.putNull("policyText");
        } else {
            n.put("policyText", text);
        }
        return n;
    }

    private static ObjectNode removed(String text, List<JsonNode> statements) {
        ObjectNode n = policy(text);
        ArrayNode list = n.putArray("removedStatements");
        statements.forEach(list::add);
        return n;
    }

    private static ObjectNode inlineState(Target t, String policyName, String document) {
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

    private static ObjectNode attachment(Target t, String policyArn, boolean attached) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("principal", t.principalArn());
        n.put("policyArn", policyArn);
        n.put("attached", attached);
        return n;
    }

    private static ObjectNode enrollment(String url, Connection c, boolean created) {
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
    private static String unchanged(JsonNode firstBefore, String current) {
        return unchanged(firstBefore, current, "policyText", RESULT_EXECUTED);
    }

    /** {@code changedEarlier} when the state differs from the first one read (an earlier attempt wrote it). */
    private static String unchanged(JsonNode firstBefore, String current, String field, String changedEarlier) {
        String first = firstBefore.path(field).isNull() ? null : firstBefore.path(field).asText(null);
        return PolicyDocuments.same(first, current) ? RESULT_NO_CHANGE : changedEarlier;
    }

    @Override
    public void close() {
        aws.close();
    }
}
