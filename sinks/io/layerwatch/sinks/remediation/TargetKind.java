package io.layerwatch.sinks.remediation;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * What kind of thing an action changes; JSON (requests in state, planned changes) spells it in
 * lower case.
 */
public enum TargetKind {
    REPOSITORY("repository"),
    REGISTRY("registry"),
    ROLE("role"),
    USER("user");

    private final String wire;

    TargetKind(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    /** The kind spelt {@code wire}, or null when it names none. */
    @JsonCreator
    public static TargetKind of(String wire) {
        for (TargetKind k : values()) {
            if (k.wire.equals(wire)) {
                return k;
            }
        }
        return null;
    }

    /** Roles and users: the kinds whose target is an IAM principal. */
    public boolean principal() {
        return this == ROLE || this == USER;
    }

    @Override
    public String toString() {
        return wire;
    }
}
