package io.layerwatch.sinks.remediation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layerwatch.config.RemediationConfig;
import io.layerwatch.sinks.aws.AwsClientSettings;
import io.layerwatch.util.Json;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * Executes one attempt of an action, or of its undo, through the AWS SDK v2 (and the assessment
 * service's HTTP API): the {@link RemediationAction} the request names, with the clients this
 * executor owns. Every action reads the current state first and writes only when it differs from
 * the desired one, so repeating an attempt (a retry, a restart) is harmless. The first state read
 * for a request is kept across its attempts ({@link Attempts}), so an attempt whose write went
 * through but whose response was lost still reports the true state before.
 *
 * <p>Exceptions propagate to the caller, which classifies them like the delivery layer does
 * (throttling, 5xx, timeouts and connection errors retried; the rest final).
 */
public final class ActionExecutor implements AutoCloseable {

    private final AwsAccess aws;
    private final ActionContext context;

    public ActionExecutor(RemediationConfig config, AwsClientSettings settings, Clock clock) {
        this.aws = new AwsAccess(config, settings);
        this.context = new ActionContext(config, clock, aws);
    }

    public Outcome execute(ActionRequest r, Attempts state) throws Exception {
        RemediationAction action =
                RemediationAction.find(r.action())
                        .orElseThrow(
                                () ->
                                        new ActionRejectedException(
                                                "no executor for action " + r.action()));
        return action.execute(r, context, state);
    }

    /**
     * What the action will write, computed without any call: shown by dry runs and plans and kept
     * in the audit record. Null when the request has no target or names no remediation action.
     */
    public static JsonNode plannedChange(ActionRequest r, RemediationConfig config, Instant now) {
        Optional<RemediationAction> action = RemediationAction.find(r.action());
        if (r.target() == null || action.isEmpty()) {
            return null;
        }
        ObjectNode c = Json.MAPPER.createObjectNode();
        action.get().describeChange(c, r, config, now);
        return c;
    }

    /**
     * Reverts an executed record. When the target is still exactly as the action left it, the state
     * before is restored verbatim (the exact prior policy text, or no policy); when someone changed
     * it since, only LayerWatch's own change is reverted (its Sid removed, the removed statements
     * added back, its inline policy restored) and the rest is left alone.
     */
    public Outcome undo(AuditRecord original, Attempts state) throws Exception {
        RemediationAction action =
                RemediationAction.find(original.action())
                        .orElseThrow(
                                () ->
                                        new ActionRejectedException(
                                                "cannot undo action " + original.action()));
        return action.undo(original, action.targetOf(original), context, state);
    }

    @Override
    public void close() {
        aws.close();
    }
}
