package io.layerwatch.event.decode;

import io.layerwatch.event.DeadLetter;
import io.layerwatch.event.EcrEvent;

/** Receives what {@link PayloadDecoder} makes of one payload. */
public interface DecodeOutput {
    void event(EcrEvent event);

    void deadLetter(DeadLetter deadLetter);

    /**
     * A CloudWatch Logs message the decoder refused by its sender (owner or log group not
     * configured, or a message nested in a log event): a dead letter that is also counted apart.
     */
    default void rejected(DeadLetter deadLetter) {
        deadLetter(deadLetter);
    }

    /** A well-formed input that carries no event (CloudWatch Logs control message, blank line). */
    default void skipped(String why) {}

    /**
     * A CloudTrail record of another service that the decoder's prefilter did not parse: without
     * the prefilter it would have been an event no rule analyses ({@link EcrEvent#analysed()}
     * false). It counts as read.
     */
    default void prefiltered() {}
}
