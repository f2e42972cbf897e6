package io.layerwatch.generate;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.layerwatch.util.Json;
import java.time.Instant;

/**
 * One injected scenario, a line of labels.jsonl: the finding it must produce (rule id, principal as
 * findings carry it, repository or null) and the time of its first and last event.
 *
 * <p>{@code principal} is the principal ARN LayerWatch keys on (the role ARN for role sessions);
 * for scan results, which no person calls, it is the scanning service as findings name it ({@code
 * service:aws.ecr}, {@code service:aws.inspector2}).
 */
@JsonPropertyOrder({"scenario", "ruleId", "principal", "repository", "start", "end"})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Label(
        String scenario,
        String ruleId,
        String principal,
        String repository,
        Instant start,
        Instant end) {

    public String toJson() {
        return Json.write(this); // ALWAYS above: a null repository is written, not left out
    }
}
