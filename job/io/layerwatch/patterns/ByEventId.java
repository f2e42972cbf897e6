package io.layerwatch.patterns;

import io.layerwatch.event.EcrEvent;
import org.apache.flink.cep.EventComparator;

/** Ties in event time are broken by event id, so CEP sees one order whatever the arrival order. */
public final class ByEventId implements EventComparator<EcrEvent> {
    private static final long serialVersionUID = 1L;

    @Override
    public int compare(EcrEvent a, EcrEvent b) {
        return a.eventId().compareTo(b.eventId());
    }
}
