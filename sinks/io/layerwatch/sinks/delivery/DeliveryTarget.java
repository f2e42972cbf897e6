package io.layerwatch.sinks.delivery;

import io.layerwatch.finding.Finding;
import java.io.Serializable;

/**
 * A destination of findings (SNS, Security Hub, a webhook, Firehose): how a finding is encoded for
 * it, its batch limits and how to connect. Serializable: it travels in the job graph; the client is
 * created on the task manager by {@link #connect()}.
 */
public interface DeliveryTarget extends Serializable {

    /** The sink name used in config, metrics and dead letters: "sns", "securityhub", "webhook", ... */
    String name();

    Limits limits();

    /** Encodes a finding for this destination; oversize findings must be trimmed here, never dropped. */
    String encode(Finding finding);

    DeliveryClient connect();

    /**
     * The API's limits.
     *
     * @param maxBatchEntries entries per request
     * @param maxBatchBytes bytes per request (sum of payloads)
     * @param maxEntryBytes bytes per entry (encode must stay within it)
     * @param requestsPerSecond pacing under the API's rate limit; 0 for none
     */
    record Limits(int maxBatchEntries, long maxBatchBytes, long maxEntryBytes, double requestsPerSecond)
            implements Serializable {}
}
