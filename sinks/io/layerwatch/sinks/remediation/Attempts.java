package io.layerwatch.sinks.remediation;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * State kept over the attempts of one request: the first "before" read, so an attempt whose write
 * went through but whose response was lost still reports the true state before.
 */
public final class Attempts {
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
