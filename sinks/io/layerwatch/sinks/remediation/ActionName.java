package io.layerwatch.sinks.remediation;

import io.layerwatch.config.RemediationConfig;
import java.util.Optional;

/**
 * The remediation actions, spelt as config keys, audit records and CLI output spell them ({@link
 * RemediationConfig#ACTIONS}). {@code notify} is no remediation action: it only lets a finding
 * through to the sinks, so it has no constant here.
 */
public enum ActionName {
    QUARANTINE_REPOSITORY(RemediationConfig.QUARANTINE_REPOSITORY),
    REMOVE_EXPOSING_STATEMENTS(RemediationConfig.REMOVE_EXPOSING_STATEMENTS),
    DENY_LAYER_DOWNLOAD(RemediationConfig.DENY_LAYER_DOWNLOAD),
    REVOKE_SESSIONS(RemediationConfig.REVOKE_SESSIONS),
    REGISTER_REGISTRY(RemediationConfig.REGISTER_REGISTRY);

    private final String wire;

    ActionName(String wire) {
        this.wire = wire;
    }

    /** The spelling of config keys, audit records and CLI output, e.g. "quarantine-repository". */
    public String wire() {
        return wire;
    }

    /** The action spelt {@code wire}; empty for notify, null and unknown names. */
    public static Optional<ActionName> find(String wire) {
        for (ActionName n : values()) {
            if (n.wire.equals(wire)) {
                return Optional.of(n);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return wire;
    }
}
