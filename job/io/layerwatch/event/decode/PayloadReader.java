package io.layerwatch.event.decode;

import static io.layerwatch.event.decode.PayloadDecoder.STAGE;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.layerwatch.event.DeadLetter;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Frames one payload into the JSON values and CloudTrail records that {@link Shapes} turns into
 * output: gzip up to {@value #MAX_GZIP_DEPTH} levels within input.maxInflatedBytes, blank and
 * binary payloads, JSON sequences (one document, or JSON lines where a bad line costs only that
 * line), the prefilter's skips, and the log-file fast paths ({@link LogFiles}). Never throws for
 * the input's sake: what cannot be framed is a dead letter. Not thread-safe: one per decoder.
 */
public final class PayloadReader {

    private static final int MAX_GZIP_DEPTH = 2;

    private final ObjectMapper mapper;
    private final Shapes shapes;

    /** Null: decode every record. */
    private final RecordPrefilter prefilter;

    private final boolean streamed;
    private final LogFiles logFiles;
    private final long maxInflatedBytes;

    /**
     * @param prefilter skip CloudTrail records of other services that no rule analyses
     * @param streamed read log-file records from the token stream, else every one through the tree
     * @param fromBytes read log-file records from their bytes where the reader vouches for them
     *     (with streamed)
     */
    public PayloadReader(
            ObjectMapper mapper,
            Shapes shapes,
            boolean prefilter,
            boolean streamed,
            boolean fromBytes,
            long maxInflatedBytes) {
        this.mapper = mapper;
        this.shapes = shapes;
        this.prefilter = prefilter ? new RecordPrefilter() : null;
        this.streamed = streamed;
        this.logFiles =
                new LogFiles(mapper, shapes, streamed, fromBytes ? new RecordReader(mapper) : null);
        this.maxInflatedBytes = maxInflatedBytes;
    }

    /**
     * True when the prefilter is on and vouches that a CloudWatch Logs log event's message is a
     * record to skip.
     */
    public boolean skippable(String message) {
        return prefilter != null && prefilter.skippable(message);
    }

    /**
     * The payload in the first {@code length} bytes; nothing emitted keeps a reference to {@code
     * bytes}.
     */
    public void read(byte[] bytes, int length, String source, DecodeOutput out) {
        read(bytes, 0, length, source, out, 0);
    }

    /** The payload at [offset, offset + length), inflated {@code depth} times already. */
    private void read(
            byte[] bytes, int offset, int length, String source, DecodeOutput out, int depth) {
        try {
            if (Gzip.isGzip(bytes, offset, length)) {
                byte[] inflated;
                try {
                    inflated = Gzip.gunzip(bytes, offset, length, maxInflatedBytes);
                } catch (PayloadDecoder.TooLarge e) {
                    out.deadLetter(
                            DeadLetter.of(source, STAGE, e.getMessage(), bytes, offset, length));
                    return;
                } catch (IOException e) {
                    String reason = "corrupt gzip: " + e.getMessage();
                    out.deadLetter(DeadLetter.of(source, STAGE, reason, bytes, offset, length));
                    return;
                }
                if (depth >= MAX_GZIP_DEPTH) {
                    out.deadLetter(
                            DeadLetter.of(
                                    source, STAGE, "gzip nested too deep", bytes, offset, length));
                    return;
                }
                read(inflated, 0, inflated.length, source, out, depth + 1);
                return;
            }
            if (length > maxInflatedBytes) {
                String reason = PayloadDecoder.larger(length, maxInflatedBytes);
                out.deadLetter(DeadLetter.of(source, STAGE, reason, bytes, offset, length));
                return;
            }
            int end = offset + length;
            int start = JsonBytes.skipBlank(bytes, offset, end);
            if (start == end) {
                out.skipped("empty payload");
                return;
            }
            if (bytes[start] != '{'
                    && bytes[start] != '['
                    && JsonBytes.looksBinary(bytes, start, end)) {
                out.deadLetter(
                        DeadLetter.of(source, STAGE, "not JSON or gzip", bytes, offset, length));
                return;
            }
            decodeJsonSequence(bytes, start, end, source, out);
        } catch (DownstreamFailure e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            out.deadLetter(
                    DeadLetter.of(source, STAGE, "undecodable: " + e, bytes, offset, length));
        }
    }

    /**
     * Root values one after another; on a syntax error, dead-letter that line (or the broken
     * document) and go on.
     */
    private void decodeJsonSequence(
            byte[] bytes, int start, int end, String source, DecodeOutput out) {
        int pos = start;
        int values =
                0; // two root values, or one bad line handled, mean JSON lines: bad lines cost one
        // line each
        int decoded = 0; // root values the prefilter already decoded
        if (prefilter != null) {
            for (int next;
                    (next = prefilteredRoot(bytes, pos, end, source, out)) > pos;
                    pos = next) {
                decoded++;
            }
            if (JsonScanner.skipWhitespace(bytes, pos, end) == end) {
                return;
            }
            // From the first value it cannot vouch for, Jackson as before: from the start, so that
            // error locations (lines, columns) in dead letters are the same, passing over the
            // values decoded.
            values = decoded;
            pos = start;
        }
        if (decoded == 0 && streamed && logFiles.logFile(bytes, start, end, source, out)) {
            return;
        }
        while (pos < end) {
            long valueStart = 0;
            try (JsonParser p =
                    mapper.getFactory()
                            .createParser(new ByteArrayInputStream(bytes, pos, end - pos))) {
                for (; decoded > 0; decoded--) {
                    p.nextToken();
                    p.skipChildren();
                }
                try {
                    while (true) {
                        // Where a bad token would start: after the previous value (nextToken itself
                        // may fail).
                        valueStart = p.currentLocation().getByteOffset();
                        if (p.nextToken() == null) {
                            break;
                        }
                        valueStart = p.currentTokenLocation().getByteOffset();
                        JsonNode node = mapper.readTree(p);
                        values++;
                        // A log file among other values: from its bytes, as the prefilter's decode
                        // takes it.
                        int valueEnd = pos + (int) p.currentLocation().getByteOffset();
                        if (!(streamed
                                && node.has("Records")
                                && logFiles.logFile(
                                        bytes, pos + (int) valueStart, valueEnd, source, out))) {
                            shapes.root(node, source, out);
                        }
                    }
                    return;
                } catch (JsonProcessingException e) {
                    int after =
                            e instanceof StreamConstraintsException
                                    ? logFiles.logFileByRecord(
                                            bytes, pos + (int) valueStart, end, source, out)
                                    : -1;
                    if (after >= 0) {
                        values++;
                        pos = JsonBytes.skipBlank(bytes, after, end);
                        continue;
                    }
                    long errorAt = Math.max(valueStart, p.currentLocation().getByteOffset());
                    int badStart = JsonBytes.skipBlank(bytes, pos + (int) valueStart, end);
                    int lineEnd = JsonBytes.indexOf(bytes, (byte) '\n', badStart, end);
                    String reason = "malformed JSON: " + e.getOriginalMessage();
                    if (values < 2
                            && pos + errorAt > lineEnd
                            && lineEnd < end
                            && !nextLineIsJsonValue(bytes, lineEnd + 1, end)) {
                        // A multi-line document broke: one dead letter for the rest, not one per
                        // line.
                        out.deadLetter(
                                DeadLetter.of(
                                        source, STAGE, reason, bytes, badStart, end - badStart));
                        return;
                    }
                    out.deadLetter(
                            DeadLetter.of(
                                    source, STAGE, reason, bytes, badStart, lineEnd - badStart));
                    values = Math.max(values, 2);
                    pos = JsonBytes.skipBlank(bytes, Math.min(lineEnd + 1, end), end);
                }
            } catch (IOException e) {
                String reason = "unreadable: " + e.getMessage();
                out.deadLetter(DeadLetter.of(source, STAGE, reason, bytes, pos, end - pos));
                return;
            }
        }
    }

    /**
     * Decodes the root value after {@code pos} through the prefilter. Returns where it ends, or
     * {@code pos} when there is none or the prefilter cannot vouch for it; then nothing was
     * emitted.
     */
    private int prefilteredRoot(byte[] bytes, int pos, int end, String source, DecodeOutput out) {
        int start = JsonScanner.skipWhitespace(bytes, pos, end);
        RecordPrefilter.Root root = start < end ? prefilter.scan(bytes, start, end) : null;
        if (root == null) {
            return pos;
        }
        int rootEnd = root.end; // the scanner's result is reused by later scans (CloudWatch Logs
        // messages)
        switch (root.kind) {
            case SKIP -> out.prefiltered();
            case PARSE -> {
                if (streamed && logFiles.logFile(bytes, root.start, root.end, source, out)) {
                    return rootEnd;
                }
                JsonNode node = logFiles.parse(bytes, root.start, root.end);
                if (node == null) {
                    return pos;
                }
                shapes.root(node, source, out);
            }
            case RECORDS -> {
                // Every record to decode is decoded before any is emitted: a failure leaves nothing
                // emitted.
                Decoded[] decoded = new Decoded[root.count];
                for (int i = 0; i < root.count; i++) {
                    if (!root.skip[i]
                            && (decoded[i] =
                                            logFiles.streamedRecord(
                                                    bytes, root.starts[i], root.ends[i]))
                                    == null) {
                        return pos;
                    }
                }
                for (Decoded d : decoded) {
                    if (d == null) {
                        out.prefiltered();
                    } else {
                        logFiles.emit(d, source, out);
                    }
                }
            }
        }
        return rootEnd;
    }

    /**
     * True when the next non-blank line is one complete JSON object or array: then the input is
     * JSON lines.
     */
    private boolean nextLineIsJsonValue(byte[] bytes, int from, int end) {
        int start = JsonBytes.skipBlank(bytes, from, end);
        if (start == end || (bytes[start] != '{' && bytes[start] != '[')) {
            return false;
        }
        int lineEnd = JsonBytes.indexOf(bytes, (byte) '\n', start, end);
        try (JsonParser p = mapper.getFactory().createParser(bytes, start, lineEnd - start)) {
            p.nextToken();
            p.skipChildren();
            return p.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }
}
