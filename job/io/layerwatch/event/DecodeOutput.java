package io.layerwatch.event;

/** Receives what {@link PayloadDecoder} makes of one payload. */
public interface DecodeOutput {
    void event(EcrEvent event);

    void deadLetter(DeadLetter deadLetter);

    /**
     * A CloudWatch Logs message the decoder refused by its sender (owner or log group not configured, or
     * a message nested in a log event): a dead letter that is also counted apart.
     */
    default void rejected(DeadLetter deadLetter) {
        deadLetter(deadLetter);
    }

    /** A well-formed input that carries no event (CloudWatch Logs control message, blank line). */
    default void skipped(String why) {}

    /**
     * A CloudTrail record of another service that the decoder's prefilter did not parse: without the
     * prefilter it would have been an event no rule analyses ({@link EcrEvent#analysed()} false).
     * It counts as read.
     */
    default void prefiltered() {}

    /**
     * The origin of a session key: a CloudTrail record of another service (also given to {@link #event})
     * that is the first sighting, at its time, of its {@code ASIA...} access key. Later records of the key
     * give none (unless earlier), so the prefilter can skip them.
     */
    default void origin(EcrEvent record) {}
}
