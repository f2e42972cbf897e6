package io.layerwatch.event.decode;

import static io.layerwatch.event.decode.PayloadDecoder.STAGE;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.layerwatch.event.CloudTrailFields;
import io.layerwatch.event.DeadLetter;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.event.RawJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * The fast paths for CloudTrail log files ({@code {"Records":[...]}}) and their records: from the
 * bytes ({@link RecordReader}), else from Jackson's token stream ({@link CloudTrailFields#read}),
 * record by record when a record is over Jackson's limits; whatever they cannot vouch for goes to
 * the tree decoder ({@link Shapes#record}), so the output is the tree's. Not thread-safe: one per
 * decoder.
 */
final class LogFiles {

    private final ObjectMapper mapper;
    private final Shapes shapes;

    /** Whether records are read from the token stream (else every record goes to the tree). */
    private final boolean streamed;

    /** Null unless reading records from their bytes. */
    private final RecordReader reader;

    private final RecordReader.Sink<Decoded> sink = this::decoded;

    LogFiles(ObjectMapper mapper, Shapes shapes, boolean streamed, RecordReader reader) {
        this.mapper = mapper;
        this.shapes = shapes;
        this.streamed = streamed;
        this.reader = reader;
    }

    /**
     * A CloudTrail log file at [start, end) from its bytes, else as one token stream ({@link
     * #streamedLogFile}).
     */
    boolean logFile(byte[] bytes, int start, int end, String source, DecodeOutput out) {
        List<Decoded> decoded = reader == null ? null : reader.logFile(bytes, start, end, sink);
        if (decoded == null) {
            return streamedLogFile(bytes, start, end, source, out);
        }
        emitAll(decoded, source, out);
        return true;
    }

    /**
     * A CloudTrail log file ({@code {"Records":[...]}}) at [start, end) read as one token stream:
     * each record's fields straight from the tokens ({@link CloudTrailFields#read}), its raw JSON
     * the record's own text without insignificant whitespace. A record the stream cannot vouch for,
     * or that is invalid, goes through the tree decoder (which dead-letters it as before). Returns
     * false, having emitted nothing, unless the bytes are exactly one well-formed log file whose
     * records are all objects.
     */
    private boolean streamedLogFile(
            byte[] bytes, int start, int end, String source, DecodeOutput out) {
        List<Decoded> decoded = new ArrayList<>();
        boolean records = false;
        try (JsonParser p = mapper.getFactory().createParser(bytes, start, end - start)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                JsonToken t = p.nextToken();
                if (!name.equals("Records")) {
                    p.skipChildren();
                    continue;
                }
                if (records || t != JsonToken.START_ARRAY) {
                    return false; // as the tree sees it: the last "Records" wins, a non-array is no
                    // log file
                }
                records = true;
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (t != JsonToken.START_OBJECT) {
                        return false;
                    }
                    int recordStart = start + (int) p.currentTokenLocation().getByteOffset();
                    CloudTrailFields fields = CloudTrailFields.read(p, mapper);
                    int recordEnd = start + (int) p.currentLocation().getByteOffset();
                    decoded.add(decoded(fields, bytes, recordStart, recordEnd, true));
                }
            }
            if (!records || p.nextToken() != null) {
                return false;
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        emitAll(decoded, source, out);
        return true;
    }

    /**
     * A log file ({@code {"Records":[...]}}) starting at {@code from} that Jackson cannot take
     * whole because a record is over its limits (StreamReadConstraints: nesting, number or string
     * length): each record decoded on its own, one over the limits a dead letter of its own.
     * Records are framed at the byte level (no limits, nothing built); each is then checked by
     * Jackson, one at a time. Returns where the log file ends, or -1, having emitted nothing,
     * unless it is one such log file, otherwise well-formed.
     */
    @SuppressWarnings("ReferenceEquality") // MALFORMED is a sentinel
    int logFileByRecord(byte[] bytes, int from, int end, String source, DecodeOutput out) {
        List<int[]> spans = new ArrayList<>();
        int pos = JsonBytes.skipBlank(bytes, from, end);
        if (pos == end || bytes[pos] != '{') {
            return -1;
        }
        boolean records = false;
        pos = JsonScanner.skipWhitespace(bytes, pos + 1, end);
        while (pos < end && bytes[pos] != '}') {
            int keyEnd = JsonBytes.valueEnd(bytes, pos, end);
            if (keyEnd < 0 || bytes[pos] != '"') {
                return -1;
            }
            boolean isRecords =
                    Arrays.equals(bytes, pos, keyEnd, RECORDS_KEY, 0, RECORDS_KEY.length);
            pos = JsonScanner.skipWhitespace(bytes, keyEnd, end);
            if (pos == end || bytes[pos] != ':') {
                return -1;
            }
            pos = JsonScanner.skipWhitespace(bytes, pos + 1, end);
            if (isRecords) {
                if (records || pos == end || bytes[pos] != '[') {
                    return -1;
                }
                records = true;
                pos = JsonScanner.skipWhitespace(bytes, pos + 1, end);
                while (pos < end && bytes[pos] != ']') {
                    int recordEnd = JsonBytes.valueEnd(bytes, pos, end);
                    if (recordEnd < 0) {
                        return -1;
                    }
                    spans.add(new int[] {pos, recordEnd});
                    pos = JsonBytes.afterMember(bytes, recordEnd, end, ']');
                }
            } else {
                int valueEnd = JsonBytes.valueEnd(bytes, pos, end);
                if (valueEnd < 0 || overLimits(bytes, pos, valueEnd) != null) {
                    return -1; // a limit broken outside the records, or malformed: the file as a
                    // whole
                }
                pos = valueEnd - 1; // onto its last byte, for afterMember
            }
            pos = JsonBytes.afterMember(bytes, pos + 1, end, '}');
        }
        if (!records || pos >= end) {
            return -1;
        }
        // Every record checked before any is emitted: a malformed one leaves the file to the
        // caller.
        BitSet over = new BitSet();
        List<String> reasons = new ArrayList<>();
        for (int i = 0; i < spans.size(); i++) {
            String reason = overLimits(bytes, spans.get(i)[0], spans.get(i)[1]);
            if (reason == MALFORMED) {
                return -1;
            }
            if (reason != null) {
                over.set(i);
                reasons.add(reason);
            }
        }
        if (spans.isEmpty()) {
            out.skipped("CloudTrail log file without records");
        }
        for (int i = 0, r = 0; i < spans.size(); i++) {
            int s = spans.get(i)[0];
            int e = spans.get(i)[1];
            if (over.get(i)) {
                out.deadLetter(DeadLetter.of(source, STAGE, reasons.get(r++), bytes, s, e - s));
            } else {
                Decoded d = bytes[s] == '{' ? streamedRecord(bytes, s, e) : null;
                emit(d == null ? new Decoded.Slice(bytes, s, e) : d, source, out);
            }
        }
        return pos + 1;
    }

    private static final byte[] RECORDS_KEY = "\"Records\"".getBytes(StandardCharsets.US_ASCII);
    private static final String MALFORMED = "malformed";

    /**
     * Null when Jackson reads the one value at [start, end); else the limit it breaks, or {@link
     * #MALFORMED}.
     */
    private String overLimits(byte[] bytes, int start, int end) {
        try (JsonParser p = mapper.getFactory().createParser(bytes, start, end - start)) {
            mapper.readTree(
                    p); // as the tree decoder will: it checks every limit, strings skipped included
            return p.nextToken() == null ? null : MALFORMED;
        } catch (StreamConstraintsException e) {
            return "record over Jackson's limits: " + e.getOriginalMessage();
        } catch (IOException | RuntimeException e) {
            return MALFORMED;
        }
    }

    private void emitAll(List<Decoded> decoded, String source, DecodeOutput out) {
        if (decoded.isEmpty()) {
            out.skipped("CloudTrail log file without records");
        }
        for (Decoded d : decoded) {
            emit(d, source, out);
        }
    }

    /**
     * The record object at [start, end) from the token stream: as {@link #decoded}; null when it is
     * not one object.
     */
    Decoded streamedRecord(byte[] bytes, int start, int end) {
        if (!streamed) {
            return new Decoded.Slice(bytes, start, end);
        }
        Decoded read = reader == null ? null : reader.record(bytes, start, end, sink);
        if (read != null) {
            return read;
        }
        try (JsonParser p = mapper.getFactory().createParser(bytes, start, end - start)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            CloudTrailFields fields = CloudTrailFields.read(p, mapper);
            return p.nextToken() == null ? decoded(fields, bytes, start, end, true) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The record's event, or its {@link Decoded.Slice} when the tree decoder must take it.
     *
     * @param spaced whether the record may have whitespace between tokens (else its bytes are
     *     compact already)
     */
    private Decoded decoded(
            CloudTrailFields fields, byte[] bytes, int start, int end, boolean spaced) {
        if (fields != null) {
            RawJson raw =
                    spaced
                            ? RawJson.of(JsonBytes.compact(bytes, start, end))
                            : keep(bytes, start, end);
            EcrEvent event = shapes.event(fields, raw);
            if (event != null) {
                return new Decoded.Event(event);
            }
            // the tree decoder dead-letters it, with the record as it gives it
        }
        return new Decoded.Slice(bytes, start, end);
    }

    /**
     * How much record JSON one slab holds: a few thousand records. Above half a G1 region (512 KiB
     * to 2 MiB for maximum heaps of 1 to 8 GB) it is a humongous object, which young collections
     * never copy; with larger regions it is one ordinary array.
     */
    static final int SLAB_BYTES = 3 << 20;

    /** Where the records' raw JSON goes, one after the other; a full slab is left to its events. */
    private byte[] slab = new byte[0];

    private int slabUsed;

    /** [start, end) of {@code bytes} copied into the slab. */
    private RawJson keep(byte[] bytes, int start, int end) {
        int n = end - start;
        if (slab.length - slabUsed < n) {
            slab = new byte[Math.max(SLAB_BYTES, n)];
            slabUsed = 0;
        }
        System.arraycopy(bytes, start, slab, slabUsed, n);
        RawJson raw = RawJson.slice(slab, slabUsed, n);
        slabUsed += n;
        return raw;
    }

    void emit(Decoded decoded, String source, DecodeOutput out) {
        if (decoded instanceof Decoded.Event e) {
            out.event(e.event());
        } else if (decoded instanceof Decoded.Slice r) {
            JsonNode record =
                    parse(
                            r.bytes(), r.start(),
                            r.end()); // the stream read it: the tree parse does too
            if (record == null) {
                out.deadLetter(
                        DeadLetter.of(
                                source,
                                STAGE,
                                "malformed JSON",
                                r.bytes(),
                                r.start(),
                                r.end() - r.start()));
            } else {
                shapes.record(record, source, out);
            }
        }
    }

    /** One JSON value that the prefilter scanned; null when Jackson rejects it. */
    JsonNode parse(byte[] bytes, int start, int end) {
        try {
            return mapper.readTree(bytes, start, end - start);
        } catch (IOException e) {
            return null;
        }
    }
}
