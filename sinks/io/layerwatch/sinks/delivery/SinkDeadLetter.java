package io.layerwatch.sinks.delivery;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A finding a sink could not deliver: which sink, why, after how many attempts, and the finding
 * itself, so nothing is lost and it can be re-sent.
 */
public record SinkDeadLetter(
        String sink, String findingId, String error, int attempts, String time, JsonNode finding) {}
