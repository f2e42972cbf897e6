package io.layerwatch.sinks.remediation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layerwatch.config.RemediationConfig;
import io.layerwatch.finding.Finding;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * One response action: which target of a finding it applies to and what it would change there (the
 * plan, pure), and how it executes and is undone through AWS. Executing reads the current state
 * first and writes only when it differs from the desired one, so repeating an attempt (a retry, a
 * restart) is harmless; undoing restores the state before verbatim when the target is still as the
 * action left it, else reverts only LayerWatch's own change. The guardrails, audit and dry runs
 * common to all actions are {@link Guard}'s and {@link Responder}'s.
 */
public sealed interface RemediationAction
        permits PolicyStatementAction, DenyLayerDownload, RevokeSessions, RegisterRegistry {

    ActionName name();

    /** The kinds of target the action changes. */
    Set<TargetKind> targetKinds();

    /** The target the action would change for the finding; thrown: why it does not apply. */
    Target targetFor(Finding f, RemediationConfig config) throws NotApplicable;

    /**
     * Adds what the action will write on {@code r}'s target to {@code change}, computed without any
     * call.
     */
    void describeChange(ObjectNode change, ActionRequest r, RemediationConfig config, Instant now);

    /** One attempt of the action on {@code r}'s target. */
    Outcome execute(ActionRequest r, ActionContext cx, Attempts state) throws Exception;

    /**
     * The target an audit record of this action names (repository ARN, registry host or principal
     * ARN).
     */
    Target targetOf(AuditRecord r);

    /**
     * One attempt of reverting {@code original}, an executed record of this action on {@code t}.
     */
    Outcome undo(AuditRecord original, Target t, ActionContext cx, Attempts state) throws Exception;

    static RemediationAction of(ActionName name) {
        return switch (name) {
            case QUARANTINE_REPOSITORY -> QuarantineRepository.INSTANCE;
            case REMOVE_EXPOSING_STATEMENTS -> RemoveExposingStatements.INSTANCE;
            case DENY_LAYER_DOWNLOAD -> DenyLayerDownload.INSTANCE;
            case REVOKE_SESSIONS -> RevokeSessions.INSTANCE;
            case REGISTER_REGISTRY -> RegisterRegistry.INSTANCE;
        };
    }

    /**
     * The action spelt {@code wire} in config and audit records; empty for notify and unknown
     * names.
     */
    static Optional<RemediationAction> find(String wire) {
        return ActionName.find(wire).map(RemediationAction::of);
    }
}
