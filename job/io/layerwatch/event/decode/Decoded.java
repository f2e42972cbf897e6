package io.layerwatch.event.decode;

import io.layerwatch.event.EcrEvent;

/**
 * What the fast paths make of one CloudTrail record: its event, or its bytes for the tree decoder.
 */
sealed interface Decoded permits Decoded.Event, Decoded.Slice {

    /** A record read from its bytes into its event. */
    record Event(EcrEvent event) implements Decoded {}

    /**
     * A record at [start, end) of {@code bytes} that the tree decoder takes (and dead-letters if
     * invalid).
     */
    @SuppressWarnings("ArrayRecordComponent") // a slice of a buffer, never compared
    record Slice(byte[] bytes, int start, int end) implements Decoded {}
}
