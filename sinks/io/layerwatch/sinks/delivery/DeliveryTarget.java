package io.layerwatch.sinks.delivery;

import java.io.Serializable;

/**
 * A destination (SNS, Security Hub, a webhook, Firehose) of values of type T (findings, OCSF
 * events): how a value is encoded for it, its batch limits and how to connect. Serializable: it
 * travels in the job graph; the client is created on the task manager by {@link #connect()}.
 */
public interface DeliveryTarget<T> extends Serializable {

    /**
     * The sink name used in config, metrics and dead letters: "sns", "securityhub", "webhook", ...
     */
    String name();

    Limits limits();

    /**
     * Encodes a value for this destination; oversize values must be trimmed here, never dropped.
     */
    String encode(T value);

    /** The value's id in logs and dead letters (a finding id). */
    String key(T value);

    /** The value as kept in a dead letter (JSON). */
    String record(T value);

    DeliveryClient connect();

    /**
     * The API's limits.
     *
     * @param maxBatchEntries entries per request
     * @param maxBatchBytes bytes per request (sum of payloads)
     * @param maxEntryBytes bytes per entry (encode must stay within it)
     * @param requestsPerSecond pacing under the API's rate limit; 0 for none
     */
    record Limits(
            int maxBatchEntries, long maxBatchBytes, long maxEntryBytes, double requestsPerSecond)
            implements Serializable {}
}
