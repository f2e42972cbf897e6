package io.layerwatch.testing;

import io.layerwatch.event.DeadLetter;
import io.layerwatch.event.DecodeOutput;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.event.PayloadDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A {@link DecodeOutput} that keeps everything the decoder emits, in order, for assertions. */
public final class CollectingOutput implements DecodeOutput {

    public static final String SOURCE = "test";

    private final List<EcrEvent> events = new ArrayList<>();
    private final List<DeadLetter> deadLetters = new ArrayList<>();
    private final List<String> skips = new ArrayList<>();

    /** Decodes {@code bytes} with a fresh {@link PayloadDecoder}, source {@value #SOURCE}. */
    public static CollectingOutput decode(byte[] bytes) {
        CollectingOutput out = new CollectingOutput();
        new PayloadDecoder().decode(bytes, SOURCE, out);
        return out;
    }

    public static CollectingOutput decode(String text) {
        return decode(text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void event(EcrEvent event) {
        events.add(event);
    }

    @Override
    public void deadLetter(DeadLetter deadLetter) {
        deadLetters.add(deadLetter);
    }

    @Override
    public void skipped(String why) {
        skips.add(why);
    }

    public List<EcrEvent> events() {
        return Collections.unmodifiableList(events);
    }

    public List<DeadLetter> deadLetters() {
        return Collections.unmodifiableList(deadLetters);
    }

    public List<String> skips() {
        return Collections.unmodifiableList(skips);
    }

    /** How many outputs of any kind (events, dead letters, skips) the decoder produced. */
    public int total() {
        return events.size() + deadLetters.size() + skips.size();
    }

    /** The single event, failing when there were dead letters, skips or another number of events. */
    public EcrEvent onlyEvent() {
        if (events.size() != 1 || !deadLetters.isEmpty() || !skips.isEmpty()) {
            throw new AssertionError("expected exactly one event and nothing else, got " + this);
        }
        return events.get(0);
    }

    /** The single dead letter, failing when there were events, skips or another number of dead letters. */
    public DeadLetter onlyDeadLetter() {
        if (deadLetters.size() != 1 || !events.isEmpty() || !skips.isEmpty()) {
            throw new AssertionError("expected exactly one dead letter and nothing else, got " + this);
        }
        return deadLetters.get(0);
    }

    @Override
    public String toString() {
        List<String> ids = new ArrayList<>();
        events.forEach(e -> ids.add(e.kind() + " " + e.eventName() + " " + e.eventId()));
        List<String> reasons = new ArrayList<>();
        deadLetters.forEach(d -> reasons.add(d.reason()));
        return "events=" + ids + ", deadLetters=" + reasons + ", skips=" + skips;
    }
}
