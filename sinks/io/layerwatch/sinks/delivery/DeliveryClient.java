package io.layerwatch.sinks.delivery;

import java.util.List;

/**
 * The runtime side of a {@link DeliveryTarget}: sends one batch (within the target's limits).
 * Implementations call the real API (AWS SDK v2 client, HTTP) synchronously; the delivery layer
 * runs them off the task thread and handles retries, backoff and dead letters.
 */
public interface DeliveryClient extends AutoCloseable {

    /**
     * Sends the batch and returns one result per entry, in order. Throwing means the whole batch
     * failed; the exception is classified by {@link ErrorClassifier} (so let SDK exceptions
     * through).
     */
    List<EntryResult> send(List<Delivery> batch) throws Exception;

    @Override
    default void close() throws Exception {}
}
