package io.layerwatch.sinks.remediation;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What one attempt of an action, or of its undo, found and did.
 *
 * @param result one of the RESULT_ constants of {@link AuditRecord}
 * @param before the target's state before (the first attempt's reading, see {@link Attempts})
 * @param after the target's state after
 */
public record Outcome(String result, JsonNode before, JsonNode after) {}
