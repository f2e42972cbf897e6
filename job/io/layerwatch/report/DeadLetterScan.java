package io.layerwatch.report;

import io.layerwatch.event.DeadLetter;
import io.layerwatch.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * dead-letter.jsonl in two streaming passes: the total, the reasons (top list with exact counts)
 * and the first {@code examples} dead letters, payloads cut short.
 */
final class DeadLetterScan {
    static final int REASON_CHARS = 300;
    static final int PAYLOAD_CHARS = 600;

    final boolean present;
    long total;
    long unreadable;
    final TopCounter reasons = new TopCounter(FindingsScan.CANDIDATES);
    final List<DeadLetter> examples = new ArrayList<>();

    private DeadLetterScan(boolean present) {
        this.present = present;
    }

    static DeadLetterScan of(Path file, int examples) throws IOException {
        DeadLetterScan s = new DeadLetterScan(Files.exists(file));
        if (!s.present) {
            return s;
        }
        Lines.forEach(
                file,
                text -> {
                    DeadLetter d = parse(text);
                    if (d == null) {
                        s.unreadable++;
                        return;
                    }
                    s.total++;
                    s.reasons.offer(reason(d));
                    if (s.examples.size() < examples) {
                        s.examples.add(
                                new DeadLetter(
                                        d.source(),
                                        d.stage(),
                                        d.reason(),
                                        Html.cut(d.payload(), PAYLOAD_CHARS),
                                        d.encoding(),
                                        d.payloadBytes()));
                    }
                });
        if (s.total > 0) {
            Lines.forEach(
                    file,
                    text -> {
                        DeadLetter d = parse(text);
                        if (d != null) {
                            s.reasons.tally(reason(d), -1, null);
                        }
                    });
        }
        return s;
    }

    /** The reason as counted: cut (reasons can quote the input), "(none)" when missing. */
    static String reason(DeadLetter d) {
        return d.reason() == null || d.reason().isEmpty()
                ? "(none)"
                : Html.cut(d.reason(), REASON_CHARS);
    }

    private static DeadLetter parse(String line) {
        try {
            return Json.read(line, DeadLetter.class);
        } catch (UncheckedIOException e) {
            return null;
        }
    }
}
