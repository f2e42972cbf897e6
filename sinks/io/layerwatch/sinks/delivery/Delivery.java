package io.layerwatch.sinks.delivery;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;

/**
 * One finding on its way to one destination: the encoded request payload (what the API receives for
 * this entry), the finding itself (for dead letters) and how often it was tried. The buffered
 * request entry of {@link DeliverySink}, so it takes part in checkpoints.
 *
 * @param findingId the finding id (dedup id, ASFF Id)
 * @param payload the destination-specific encoding, produced once by {@link DeliveryTarget#encode}
 * @param finding the finding as JSON
 * @param attempts completed attempts so far
 * @param problem why the finding could not be encoded for this destination (then payload is empty)
 */
public record Delivery(
        String findingId, String payload, String finding, int attempts, String problem)
        implements Serializable {

    public static Delivery of(String findingId, String payload, String finding) {
        return new Delivery(findingId, payload, finding, 0, null);
    }

    public static Delivery unencodable(String findingId, String finding, String problem) {
        return new Delivery(findingId, "", finding, 0, problem);
    }

    public Delivery retried() {
        return new Delivery(findingId, payload, finding, attempts + 1, problem);
    }

    /** Bytes the entry counts for in batch size limits (UTF-8 length of the payload). */
    public long sizeInBytes() {
        return payload.getBytes(StandardCharsets.UTF_8).length;
    }
}
