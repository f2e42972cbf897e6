package io.layerwatch.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.layerwatch.config.CloudWatchLogsSenders;
import io.layerwatch.event.DeadLetter;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.event.EventKind;
import io.layerwatch.event.RawJson;
import io.layerwatch.event.decode.DecodeOutput;
import io.layerwatch.event.decode.PayloadDecoder;
import java.io.IOException;
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
    private int prefiltered;
    private int rejected;

    /**
     * Decodes {@code bytes} with a fresh {@link PayloadDecoder}, source {@value #SOURCE}; also
     * checks that the prefiltered decoder agrees on them ({@link #assertPrefilterAgrees}), so every
     * decoder test covers it.
     */
    public static CollectingOutput decode(byte[] bytes) {
        assertPrefilterAgrees(bytes);
        return assertStreamAgrees(bytes);
    }

    /**
     * Decodes {@code bytes} (prefilter off) with log-file records read from their bytes (the
     * default), from the token stream and through Jackson's tree, and fails unless they agree:
     * bytes and tokens exactly (also with the prefilter on), tokens and tree with the same dead
     * letters, skips and events, whose raw JSON is the same JSON (the streamed one keeps the
     * record's own text, whitespace aside). Returns the default decode.
     */
    public static CollectingOutput assertStreamAgrees(byte[] bytes) {
        CollectingOutput streamed = decode(bytes, false);
        for (boolean prefilter : new boolean[] {false, true}) {
            CollectingOutput fromBytes = prefilter ? decode(bytes, true) : streamed;
            CollectingOutput tokens = decode(bytes, prefilter, PayloadDecoder.Records.TOKENS);
            if (!fromBytes.events.equals(tokens.events)
                    || !fromBytes.deadLetters.equals(tokens.deadLetters)
                    || !fromBytes.skips.equals(tokens.skips)
                    || fromBytes.prefiltered != tokens.prefiltered) {
                throw new AssertionError(
                        "decode from the bytes "
                                + fromBytes
                                + " is not the token decode "
                                + tokens
                                + (prefilter ? " (prefilter on)" : ""));
            }
        }
        CollectingOutput tree = decode(bytes, false, PayloadDecoder.Records.TREE);
        if (!streamed.deadLetters.equals(tree.deadLetters)
                || !streamed.skips.equals(tree.skips)
                || !treeRaw(streamed.events).equals(tree.events)) {
            throw new AssertionError(
                    "streamed decode " + streamed + " is not the tree decode " + tree);
        }
        return streamed;
    }

    private static final ObjectMapper PLAIN = new ObjectMapper();

    /**
     * The events with their raw JSON as the tree decoder writes it (a plain ObjectMapper writing
     * the tree).
     */
    private static List<EcrEvent> treeRaw(List<EcrEvent> events) {
        return events.stream()
                .map(
                        e ->
                                new EcrEvent(
                                        e.eventId(),
                                        e.eventTime(),
                                        e.kind(),
                                        e.eventSource(),
                                        e.eventName(),
                                        e.region(),
                                        e.accountId(),
                                        e.principal(),
                                        e.sourceIp(),
                                        e.userAgent(),
                                        e.vpcEndpointId(),
                                        e.errorCode(),
                                        e.registryId(),
                                        e.repositoryName(),
                                        e.layerDigest(),
                                        e.imageDigest(),
                                        e.imageTags(),
                                        e.scanStatus(),
                                        e.criticalCount(),
                                        e.highCount(),
                                        e.policyText(),
                                        RawJson.of(rewrite(e.rawJson().toBytes()))))
                .toList();
    }

    private static byte[] rewrite(byte[] json) {
        try {
            return PLAIN.writeValueAsBytes(PLAIN.readTree(json));
        } catch (IOException e) {
            throw new AssertionError(
                    "raw JSON that does not parse: " + new String(json, StandardCharsets.UTF_8), e);
        }
    }

    /** Decodes {@code bytes} with a fresh {@link PayloadDecoder}, its prefilter on or off. */
    public static CollectingOutput decode(byte[] bytes, boolean prefilter) {
        return decode(bytes, prefilter, PayloadDecoder.Records.BYTES);
    }

    private static CollectingOutput decode(
            byte[] bytes, boolean prefilter, PayloadDecoder.Records records) {
        CollectingOutput out = new CollectingOutput();
        new PayloadDecoder(prefilter, records).decode(bytes, SOURCE, out);
        return out;
    }

    /**
     * Decodes {@code bytes} with the prefilter off and on and fails unless they agree: the same
     * dead letters and skips, and the same events except those the prefilter counted instead, each
     * of which the full decode made an event no rule analyses, and the same session origins.
     * Returns the prefiltered decode.
     */
    public static CollectingOutput assertPrefilterAgrees(byte[] bytes) {
        CollectingOutput full = decode(bytes, false);
        CollectingOutput fast = decode(bytes, true);
        assertFullMinusSkipped(full, fast, "prefiltered decode", "");
        assertSameOrigins(full, fast, "prefiltered decode");
        return fast;
    }

    /** Fails unless {@code candidate} reported the session origins {@code full} did, in order. */
    private static void assertSameOrigins(
            CollectingOutput full, CollectingOutput candidate, String what) {
        if (!candidate.origins().equals(full.origins())) {
            throw new AssertionError(
                    what + " reported origins " + candidate.origins() + ", not " + full.origins());
        }
    }

    /**
     * Fails unless {@code candidate} has the dead letters and skips of {@code full}, and its events
     * except those it counted as prefiltered instead, each of which the full decode made an event
     * no rule analyses.
     */
    private static void assertFullMinusSkipped(
            CollectingOutput full, CollectingOutput candidate, String what, String context) {
        if (!candidate.deadLetters.equals(full.deadLetters)
                || !candidate.skips.equals(full.skips)) {
            throw new AssertionError(
                    what
                            + " changed dead letters or skips: "
                            + candidate
                            + " vs "
                            + full
                            + context);
        }
        int kept = 0;
        int dropped = 0;
        for (EcrEvent e : full.events) {
            if (kept < candidate.events.size() && candidate.events.get(kept).equals(e)) {
                kept++;
            } else if (e.analysed()) {
                throw new AssertionError(what + " dropped an analysed event " + e + context);
            } else {
                dropped++;
            }
        }
        if (kept != candidate.events.size() || dropped != candidate.prefiltered) {
            throw new AssertionError(
                    what
                            + " "
                            + candidate
                            + " is not the full decode "
                            + full
                            + " minus "
                            + candidate.prefiltered
                            + " unanalysed events"
                            + context);
        }
    }

    /**
     * Decodes {@code bytes} accepting CloudWatch Logs messages from {@code senders} only, with the
     * prefilter off and on, and fails unless both give the same dead letters, rejections and skips;
     * returns the first.
     */
    public static CollectingOutput decode(byte[] bytes, CloudWatchLogsSenders senders) {
        CollectingOutput full = new CollectingOutput();
        new PayloadDecoder(false, senders).decode(bytes, SOURCE, full);
        CollectingOutput fast = new CollectingOutput();
        new PayloadDecoder(true, senders).decode(bytes, SOURCE, fast);
        assertFullMinusSkipped(full, fast, "prefiltered decode", "");
        if (full.rejected != fast.rejected) {
            throw new AssertionError(
                    "prefiltered decode rejected " + fast.rejected + ", not " + full.rejected);
        }
        return full;
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
    public void rejected(DeadLetter deadLetter) {
        rejected++;
        deadLetters.add(deadLetter);
    }

    @Override
    public void skipped(String why) {
        skips.add(why);
    }

    @Override
    public void prefiltered() {
        prefiltered++;
    }

    /** The session-key origins the decoder reported ({@link EventKind#SESSION_ORIGIN} events). */
    public List<EcrEvent> origins() {
        return events.stream().filter(e -> e.kind() == EventKind.SESSION_ORIGIN).toList();
    }

    /** Dead letters that were CloudWatch Logs messages refused by their sender. */
    public int rejectedCount() {
        return rejected;
    }

    /** Records the prefilter counted instead of decoding. */
    public int prefilteredCount() {
        return prefiltered;
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

    /**
     * How many outputs of any kind (events, dead letters, skips, prefiltered records) the decoder
     * produced.
     */
    public int total() {
        return events.size() + deadLetters.size() + skips.size() + prefiltered;
    }

    /**
     * The single event, failing when there were dead letters, skips or another number of events.
     */
    public EcrEvent onlyEvent() {
        if (events.size() != 1 || !deadLetters.isEmpty() || !skips.isEmpty()) {
            throw new AssertionError("expected exactly one event and nothing else, got " + this);
        }
        return events.get(0);
    }

    /**
     * The single dead letter, failing when there were events, skips or another number of dead
     * letters.
     */
    public DeadLetter onlyDeadLetter() {
        if (deadLetters.size() != 1 || !events.isEmpty() || !skips.isEmpty()) {
            throw new AssertionError(
                    "expected exactly one dead letter and nothing else, got " + this);
        }
        return deadLetters.get(0);
    }

    @Override
    public String toString() {
        List<String> ids = new ArrayList<>();
        events.forEach(e -> ids.add(e.kind() + " " + e.eventName() + " " + e.eventId()));
        List<String> reasons = new ArrayList<>();
        deadLetters.forEach(d -> reasons.add(d.reason()));
        return "events="
                + ids
                + ", deadLetters="
                + reasons
                + ", skips="
                + skips
                + ", prefiltered="
                + prefiltered;
    }
}
