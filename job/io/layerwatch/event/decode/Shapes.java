package io.layerwatch.event.decode;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.event.CloudTrailFields;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.event.RawJson;

/**
 * What each accepted input shape becomes: {@link PayloadReader} frames the payload into JSON values
 * and CloudTrail records, and hands each here.
 */
public interface Shapes {

    /**
     * One root JSON value of the payload: an object, an array, or anything else (a dead letter).
     */
    void root(JsonNode value, String source, DecodeOutput out);

    /** One element of a log file's {@code Records} array, parsed as a tree. */
    void record(JsonNode record, String source, DecodeOutput out);

    /**
     * The event of a record read from its bytes; null when it is invalid (the tree decoder then
     * dead-letters it).
     */
    EcrEvent event(CloudTrailFields fields, RawJson raw);
}
