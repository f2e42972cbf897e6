package io.layerwatch.sinks.delivery;

/** What happened to one entry of a batch. */
public record EntryResult(Status status, String error) {

    public enum Status {
        /** Accepted by the destination. */
        DELIVERED,
        /** Failed in a way worth retrying: throttling, 5xx, timeouts, connection errors. */
        RETRY,
        /**
         * The destination refused this entry for good (validation, authorization): dead-letter it.
         */
        REJECTED
    }

    public static final EntryResult DELIVERED = new EntryResult(Status.DELIVERED, null);

    public static EntryResult retry(String error) {
        return new EntryResult(Status.RETRY, error);
    }

    public static EntryResult rejected(String error) {
        return new EntryResult(Status.REJECTED, error);
    }
}
