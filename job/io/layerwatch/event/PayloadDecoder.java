package io.layerwatch.event;

import static io.layerwatch.event.PrincipalNormalizer.text;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.layerwatch.config.CloudWatchLogsSenders;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes one payload of any supported shape, detected by content (never by file name):
 * gzip (CloudWatch Logs subscription data, .json.gz log files), a CloudTrail log file
 * {@code {"Records":[...]}}, a CloudWatch Logs subscription message, an EventBridge envelope, a raw
 * CloudTrail record, a bare JSON array of any of these, or JSON lines of any of these.
 *
 * <p>Never throws: whatever cannot be decoded goes to {@link DecodeOutput#deadLetter} with a reason
 * and the offending bytes; a bad line in JSON lines costs only that line.
 *
 * <p>With the prefilter on, CloudTrail records of other services (log-file records, standalone records
 * and CloudWatch Logs messages) that the byte-level {@link RecordPrefilter} vouches for go to
 * {@link DecodeOutput#prefiltered} instead of being parsed; everything else, including every dead
 * letter and skip, comes out exactly as without it.
 *
 * <p>A record of another service that is the first sighting of a session key comes out as a
 * {@link EventKind#SESSION_ORIGIN} event, with the prefilter on or off.
 *
 * <p>A CloudWatch Logs message whose {@code owner} or {@code logGroup} its {@link CloudWatchLogsSenders}
 * do not accept is rejected whole ({@link DecodeOutput#rejected}), none of its log events decoded; so is a
 * CloudWatch Logs message inside a log event, whose owner and log group are only the writer's claim.
 */
public final class PayloadDecoder {

    public static final String STAGE = "decode";
    /** input.maxInflatedBytes of the built-in rules file; the decoders of tests and tools that have no rules. */
    public static final long DEFAULT_MAX_INFLATED_BYTES = 256L << 20;
    private static final int MAX_GZIP_DEPTH = 2;
    private static final Logger LOG = LoggerFactory.getLogger(PayloadDecoder.class);
    /** The warning that CloudWatch Logs senders are not restricted: once per JVM. */
    private static final AtomicBoolean WARNED_UNRESTRICTED = new AtomicBoolean();

    /** How CloudTrail log-file records are read; each gives the same output as the one before it. */
    public enum Records {
        /** Every record through Jackson's tree: the reference. */
        TREE,
        /** From Jackson's token stream ({@link CloudTrailFields#read}), else the tree. */
        TOKENS,
        /** From the bytes ({@link RecordReader}) where it vouches for them, else the tokens: the default. */
        BYTES
    }

    private final ObjectMapper mapper = new ObjectMapper();
    /** Null: decode every record. */
    private final RecordPrefilter prefilter;
    private final boolean streamed;
    /** Null unless reading {@link Records#BYTES}. */
    private final RecordReader reader;
    private final CloudWatchLogsSenders senders;
    /** The session keys whose origin was reported. */
    private final SessionKeys origins = new SessionKeys();
    private final long maxInflatedBytes;

    /** A decoder that emits an event for every record. */
    public PayloadDecoder() {
        this(false);
    }

    /** @param prefilter skip CloudTrail records of other services that no rule analyses (counted as prefiltered) */
    public PayloadDecoder(boolean prefilter) {
        this(prefilter, Records.BYTES);
    }

    /** @param records how to read log-file records (the tests hold each to the tree) */
    public PayloadDecoder(boolean prefilter, Records records) {
        this(prefilter, records, CloudWatchLogsSenders.ANY);
    }

    /** @param senders whose CloudWatch Logs messages are accepted */
    public PayloadDecoder(boolean prefilter, CloudWatchLogsSenders senders) {
        this(prefilter, Records.BYTES, senders);
    }

    public PayloadDecoder(boolean prefilter, Records records, CloudWatchLogsSenders senders) {
        this(prefilter, records, senders, DEFAULT_MAX_INFLATED_BYTES);
    }

    /** @param maxInflatedBytes input.maxInflatedBytes: a payload larger, plain or inflated, is a dead letter */
    public PayloadDecoder(boolean prefilter, CloudWatchLogsSenders senders, long maxInflatedBytes) {
        this(prefilter, Records.BYTES, senders, maxInflatedBytes);
    }

    public PayloadDecoder(boolean prefilter, Records records, CloudWatchLogsSenders senders, long maxInflatedBytes) {
        this.maxInflatedBytes = maxInflatedBytes;
        this.senders = senders;
        this.prefilter = prefilter ? new RecordPrefilter() : null;
        this.streamed = records != Records.TREE;
        this.reader = records == Records.BYTES ? new RecordReader(mapper) : null;
    }

    public void decode(byte[] bytes, String source, DecodeOutput out) {
        decode(bytes, bytes.length, source, out);
    }

    /** The payload in the first {@code length} bytes; nothing decoded keeps a reference to {@code bytes}. */
    public void decode(byte[] bytes, int length, String source, DecodeOutput out) {
        try {
            decode(bytes, 0, length, source, new Guarded(out, origins), 0);
        } catch (DownstreamFailure e) {
            throw e.failure;
        }
    }

    /** A failure of the receiver, not of the input: must not be mistaken for undecodable input. */
    private static final class DownstreamFailure extends RuntimeException {
        final RuntimeException failure;

        DownstreamFailure(RuntimeException failure) {
            super(null, null, false, false);
            this.failure = failure;
        }
    }

    private record Guarded(DecodeOutput out, SessionKeys origins) implements DecodeOutput {
        @Override
        public void event(EcrEvent event) {
            boolean origin = event.isApiCall() && !EcrEvent.ECR_SOURCE.equals(event.eventSource())
                    && SessionKeys.isSessionKey(event.principal().accessKeyId())
                    && origins.firstSighting(event.principal().accessKeyId(), event.eventTime());
            guard(() -> out.event(origin ? event.asSessionOrigin() : event));
        }

        @Override
        public void deadLetter(DeadLetter deadLetter) {
            guard(() -> out.deadLetter(deadLetter));
        }

        @Override
        public void rejected(DeadLetter deadLetter) {
            guard(() -> out.rejected(deadLetter));
        }

        @Override
        public void skipped(String why) {
            out.skipped(why);
        }

        @Override
        public void prefiltered() {
            guard(out::prefiltered);
        }

        private static void guard(Runnable delivery) {
            try {
                delivery.run();
            } catch (RuntimeException e) {
                throw new DownstreamFailure(e);
            }
        }
    }

    private void decode(byte[] bytes, int offset, int length, String source, DecodeOutput out, int depth) {
        try {
            if (isGzip(bytes, offset, length)) {
                byte[] inflated;
                try {
                    inflated = gunzip(bytes, offset, length, maxInflatedBytes);
                } catch (TooLarge e) {
                    out.deadLetter(DeadLetter.of(source, STAGE, e.getMessage(), bytes, offset, length));
                    return;
                } catch (IOException e) {
                    out.deadLetter(DeadLetter.of(source, STAGE, "corrupt gzip: " + e.getMessage(), bytes, offset, length));
                    return;
                }
                if (depth >= MAX_GZIP_DEPTH) {
                    out.deadLetter(DeadLetter.of(source, STAGE, "gzip nested too deep", bytes, offset, length));
                    return;
                }
                decode(inflated, 0, inflated.length, source, out, depth + 1);
                return;
            }
            if (length > maxInflatedBytes) {
                out.deadLetter(DeadLetter.of(source, STAGE, larger(length, maxInflatedBytes), bytes, offset, length));
                return;
            }
            int end = offset + length;
            int start = skipBlank(bytes, offset, end);
            if (start == end) {
                out.skipped("empty payload");
                return;
            }
            if (bytes[start] != '{' && bytes[start] != '[' && looksBinary(bytes, start, end)) {
                out.deadLetter(DeadLetter.of(source, STAGE, "not JSON or gzip", bytes, offset, length));
                return;
            }
            decodeJsonSequence(bytes, start, end, source, out);
        } catch (DownstreamFailure e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            out.deadLetter(DeadLetter.of(source, STAGE, "undecodable: " + e, bytes, offset, length));
        }
    }

    /** Root values one after another; on a syntax error, dead-letter that line (or the broken document) and go on. */
    private void decodeJsonSequence(byte[] bytes, int start, int end, String source, DecodeOutput out) {
        int pos = start;
        int values = 0; // two root values, or one bad line handled, mean JSON lines: bad lines cost one line each
        int decoded = 0; // root values the prefilter already decoded
        if (prefilter != null) {
            for (int next; (next = prefilteredRoot(bytes, pos, end, source, out)) > pos; pos = next) {
                decoded++;
            }
            if (RecordPrefilter.skipWhitespace(bytes, pos, end) == end) {
                return;
            }
            // From the first value it cannot vouch for, Jackson as before: from the start, so that error
            // locations (lines, columns) in dead letters are the same, passing over the values decoded.
            values = decoded;
            pos = start;
        }
        if (decoded == 0 && streamed && logFile(bytes, start, end, source, out)) {
            return;
        }
        while (pos < end) {
            long valueStart = 0;
            try (JsonParser p = mapper.getFactory().createParser(new ByteArrayInputStream(bytes, pos, end - pos))) {
                for (; decoded > 0; decoded--) {
                    p.nextToken();
                    p.skipChildren();
                }
                try {
                    while (true) {
                        // Where a bad token would start: after the previous value (nextToken itself may fail).
                        valueStart = p.currentLocation().getByteOffset();
                        if (p.nextToken() == null) {
                            break;
                        }
                        valueStart = p.currentTokenLocation().getByteOffset();
                        JsonNode node = mapper.readTree(p);
                        values++;
                        // A log file among other values: from its bytes, as the prefilter's decode takes it.
                        int valueEnd = pos + (int) p.currentLocation().getByteOffset();
                        if (!(streamed && node.has("Records")
                                && logFile(bytes, pos + (int) valueStart, valueEnd, source, out))) {
                            root(node, source, out);
                        }
                    }
                    return;
                } catch (JsonProcessingException e) {
                    int after = e instanceof StreamConstraintsException
                            ? logFileByRecord(bytes, pos + (int) valueStart, end, source, out) : -1;
                    if (after >= 0) {
                        values++;
                        pos = skipBlank(bytes, after, end);
                        continue;
                    }
                    long errorAt = Math.max(valueStart, p.currentLocation().getByteOffset());
                    int badStart = skipBlank(bytes, pos + (int) valueStart, end);
                    int lineEnd = indexOf(bytes, (byte) '\n', badStart, end);
                    String reason = "malformed JSON: " + e.getOriginalMessage();
                    if (values < 2 && pos + errorAt > lineEnd && lineEnd < end
                            && !nextLineIsJsonValue(bytes, lineEnd + 1, end)) {
                        // A multi-line document broke: one dead letter for the rest, not one per line.
                        out.deadLetter(DeadLetter.of(source, STAGE, reason, bytes, badStart, end - badStart));
                        return;
                    }
                    out.deadLetter(DeadLetter.of(source, STAGE, reason, bytes, badStart, lineEnd - badStart));
                    values = Math.max(values, 2);
                    pos = skipBlank(bytes, Math.min(lineEnd + 1, end), end);
                }
            } catch (IOException e) {
                out.deadLetter(DeadLetter.of(source, STAGE, "unreadable: " + e.getMessage(), bytes, pos, end - pos));
                return;
            }
        }
    }

    /**
     * Decodes the root value after {@code pos} through the prefilter. Returns where it ends, or
     * {@code pos} when there is none or the prefilter cannot vouch for it; then nothing was emitted.
     */
    private int prefilteredRoot(byte[] bytes, int pos, int end, String source, DecodeOutput out) {
        int start = RecordPrefilter.skipWhitespace(bytes, pos, end);
        RecordPrefilter.Root root = start < end ? prefilter.scan(bytes, start, end) : null;
        if (root == null) {
            return pos;
        }
        int rootEnd = root.end; // the scanner's result is reused by later scans (CloudWatch Logs messages)
        switch (root.kind) {
            case SKIP -> out.prefiltered();
            case PARSE -> {
                if (streamed && logFile(bytes, root.start, root.end, source, out)) {
                    return rootEnd;
                }
                JsonNode node = parse(bytes, root.start, root.end);
                if (node == null) {
                    return pos;
                }
                root(node, source, out);
            }
            case RECORDS -> {
                // Every record to decode is decoded before any is emitted: a failure leaves nothing emitted.
                Object[] decoded = new Object[root.count];
                for (int i = 0; i < root.count; i++) {
                    if (!root.skip[i] && (decoded[i] = streamedRecord(bytes, root.starts[i], root.ends[i])) == null) {
                        return pos;
                    }
                }
                for (Object d : decoded) {
                    if (d == null) {
                        out.prefiltered();
                    } else {
                        emit(d, source, out);
                    }
                }
            }
        }
        return rootEnd;
    }

    /** A CloudTrail log file at [start, end) from its bytes, else as one token stream ({@link #streamedLogFile}). */
    private boolean logFile(byte[] bytes, int start, int end, String source, DecodeOutput out) {
        List<Object> decoded = reader == null ? null : reader.logFile(bytes, start, end, PayloadDecoder::decoded);
        if (decoded == null) {
            return streamedLogFile(bytes, start, end, source, out);
        }
        emitAll(decoded, source, out);
        return true;
    }

    /**
     * A CloudTrail log file ({@code {"Records":[...]}}) at [start, end) read as one token stream: each
     * record's fields straight from the tokens ({@link CloudTrailFields#read}), its raw JSON the record's
     * own text without insignificant whitespace. A record the stream cannot vouch for, or that is invalid,
     * goes through the tree decoder (which dead-letters it as before). Returns false, having emitted
     * nothing, unless the bytes are exactly one well-formed log file whose records are all objects.
     */
    private boolean streamedLogFile(byte[] bytes, int start, int end, String source, DecodeOutput out) {
        List<Object> decoded = new ArrayList<>();
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
                    return false; // as the tree sees it: the last "Records" wins, a non-array is no log file
                }
                records = true;
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (t != JsonToken.START_OBJECT) {
                        return false;
                    }
                    int recordStart = start + (int) p.currentTokenLocation().getByteOffset();
                    CloudTrailFields fields = CloudTrailFields.read(p, mapper);
                    decoded.add(decoded(fields, bytes, recordStart, start + (int) p.currentLocation().getByteOffset(), true));
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
     * A log file ({@code {"Records":[...]}}) starting at {@code from} that Jackson cannot take whole because
     * a record is over its limits (StreamReadConstraints: nesting, number or string length): each record
     * decoded on its own, one over the limits a dead letter of its own. Records are framed at the byte
     * level (no limits, nothing built); each is then checked by Jackson, one at a time. Returns where the
     * log file ends, or -1, having emitted nothing, unless it is one such log file, otherwise well-formed.
     */
    private int logFileByRecord(byte[] bytes, int from, int end, String source, DecodeOutput out) {
        List<int[]> spans = new ArrayList<>();
        int pos = skipBlank(bytes, from, end);
        if (pos == end || bytes[pos] != '{') {
            return -1;
        }
        boolean records = false;
        pos = RecordPrefilter.skipWhitespace(bytes, pos + 1, end);
        while (pos < end && bytes[pos] != '}') {
            int keyEnd = valueEnd(bytes, pos, end);
            if (keyEnd < 0 || bytes[pos] != '"') {
                return -1;
            }
            boolean isRecords = Arrays.equals(bytes, pos, keyEnd, RECORDS_KEY, 0, RECORDS_KEY.length);
            pos = RecordPrefilter.skipWhitespace(bytes, keyEnd, end);
            if (pos == end || bytes[pos] != ':') {
                return -1;
            }
            pos = RecordPrefilter.skipWhitespace(bytes, pos + 1, end);
            if (isRecords) {
                if (records || pos == end || bytes[pos] != '[') {
                    return -1;
                }
                records = true;
                pos = RecordPrefilter.skipWhitespace(bytes, pos + 1, end);
                while (pos < end && bytes[pos] != ']') {
                    int recordEnd = valueEnd(bytes, pos, end);
                    if (recordEnd < 0) {
                        return -1;
                    }
                    spans.add(new int[] {pos, recordEnd});
                    pos = afterMember(bytes, recordEnd, end, ']');
                }
            } else {
                int valueEnd = valueEnd(bytes, pos, end);
                if (valueEnd < 0 || overLimits(bytes, pos, valueEnd) != null) {
                    return -1; // a limit broken outside the records, or malformed: the file as a whole
                }
                pos = valueEnd - 1; // onto its last byte, for afterMember
            }
            pos = afterMember(bytes, pos + 1, end, '}');
        }
        if (!records || pos >= end) {
            return -1;
        }
        // Every record checked before any is emitted: a malformed one leaves the file to the caller.
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
                Object d = bytes[s] == '{' ? streamedRecord(bytes, s, e) : null;
                emit(d == null ? new Slice(bytes, s, e) : d, source, out);
            }
        }
        return pos + 1;
    }

    private static final byte[] RECORDS_KEY = "\"Records\"".getBytes(StandardCharsets.US_ASCII);
    private static final String MALFORMED = "malformed";

    /** Null when Jackson reads the one value at [start, end); else the limit it breaks, or {@link #MALFORMED}. */
    private String overLimits(byte[] bytes, int start, int end) {
        try (JsonParser p = mapper.getFactory().createParser(bytes, start, end - start)) {
            mapper.readTree(p); // as the tree decoder will: it checks every limit, strings skipped included
            return p.nextToken() == null ? null : MALFORMED;
        } catch (StreamConstraintsException e) {
            return "record over Jackson's limits: " + e.getOriginalMessage();
        } catch (IOException | RuntimeException e) {
            return MALFORMED;
        }
    }

    /** After a member or element ending at {@code pos}: past its comma, or at the {@code close} byte; else end. */
    private static int afterMember(byte[] bytes, int pos, int end, char close) {
        int i = RecordPrefilter.skipWhitespace(bytes, pos, end);
        if (i < end && bytes[i] == ',') {
            int next = RecordPrefilter.skipWhitespace(bytes, i + 1, end);
            return next < end && bytes[next] != close ? next : end; // a trailing comma is malformed
        }
        return i < end && bytes[i] == close ? i : end;
    }

    /**
     * Where the JSON value at {@code start} ends, by its brackets and strings only (Jackson checks the
     * rest), at any depth: -1 when the brackets do not match or the input ends first.
     */
    static int valueEnd(byte[] bytes, int start, int end) {
        long[] arrays = new long[1]; // per open bracket, one bit: set for '['; grows with the depth (input / 8)
        int depth = 0;
        int i = start;
        do {
            if (i >= end) {
                return -1;
            }
            byte c = bytes[i];
            if (c == '"') {
                for (i++; i < end && bytes[i] != '"'; i++) {
                    if (bytes[i] == '\\') {
                        i++;
                    }
                }
                i++;
            } else if (c == '{' || c == '[') {
                if (depth == arrays.length * 64) {
                    arrays = Arrays.copyOf(arrays, arrays.length * 2);
                }
                if (c == '[') {
                    arrays[depth >> 6] |= 1L << depth;
                } else {
                    arrays[depth >> 6] &= ~(1L << depth);
                }
                depth++;
                i++;
            } else if (c == '}' || c == ']') {
                if (depth == 0) {
                    return -1;
                }
                depth--;
                boolean array = (arrays[depth >> 6] >>> depth & 1) != 0;
                if (array != (c == ']')) {
                    return -1;
                }
                i++;
            } else if (depth == 0) { // a scalar: to the next delimiter
                while (i < end && bytes[i] != ',' && bytes[i] != '}' && bytes[i] != ']' && bytes[i] != ' '
                        && bytes[i] != '\n' && bytes[i] != '\r' && bytes[i] != '\t') {
                    i++;
                }
            } else {
                i++;
            }
        } while (depth > 0);
        return i <= end ? i : -1;
    }

    private void emitAll(List<Object> decoded, String source, DecodeOutput out) {
        if (decoded.isEmpty()) {
            out.skipped("CloudTrail log file without records");
        }
        for (Object d : decoded) {
            emit(d, source, out);
        }
    }

    /** The record object at [start, end) from the token stream: as {@link #decoded}; null when it is not one object. */
    private Object streamedRecord(byte[] bytes, int start, int end) {
        if (!streamed) {
            return new Slice(bytes, start, end);
        }
        Object read = reader == null ? null : reader.record(bytes, start, end, PayloadDecoder::decoded);
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

    /** A record the tree decoder takes. */
    private record Slice(byte[] bytes, int start, int end) {}

    /**
     * The record's event, or its {@link Slice} when the tree decoder must take it.
     *
     * @param spaced whether the record may have whitespace between tokens (else its bytes are compact already)
     */
    private static Object decoded(CloudTrailFields fields, byte[] bytes, int start, int end, boolean spaced) {
        if (fields != null) {
            try {
                byte[] raw = spaced ? compact(bytes, start, end) : Arrays.copyOfRange(bytes, start, end);
                return EventMapper.cloudTrail(fields, raw, null, null);
            } catch (EventMapper.InvalidRecord e) {
                // the tree decoder dead-letters it, with the record as it gives it
            }
        }
        return new Slice(bytes, start, end);
    }

    private void emit(Object decoded, String source, DecodeOutput out) {
        if (decoded instanceof EcrEvent e) {
            out.event(e);
        } else {
            Slice r = (Slice) decoded;
            JsonNode record = parse(r.bytes, r.start, r.end); // the stream read it: Jackson's tree parse does too
            if (record == null) {
                out.deadLetter(DeadLetter.of(source, STAGE, "malformed JSON", r.bytes, r.start, r.end - r.start));
            } else {
                cloudTrail(record, null, null, source, out);
            }
        }
    }

    /**
     * The JSON text at [start, end) without whitespace outside strings: for a record as Jackson writes it
     * (CloudTrail's own log files), the same bytes its tree would give, without building the tree.
     */
    static byte[] compact(byte[] bytes, int start, int end) {
        byte[] out = null; // allocated at the first whitespace: CloudTrail's own records have none
        int n = 0;
        int run = start; // the bytes from here on are not copied yet
        int i = start;
        while (i < end) {
            byte c = bytes[i];
            if (c == '"') {
                int j = i + 1; // to after the closing quote, eight plain bytes at a time
                while ((j = RecordPrefilter.plainRun(bytes, j, end)) < end && bytes[j] != '"') {
                    j += bytes[j] == '\\' ? 2 : 1;
                }
                i = Math.min(j + 1, end);
            } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                if (out == null) {
                    out = new byte[end - start];
                }
                System.arraycopy(bytes, run, out, n, i - run);
                n += i - run;
                run = ++i;
            } else {
                i++;
            }
        }
        if (out == null) {
            return Arrays.copyOfRange(bytes, start, end);
        }
        System.arraycopy(bytes, run, out, n, end - run);
        n += end - run;
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /** One JSON value that the prefilter scanned; null when Jackson rejects it. */
    private JsonNode parse(byte[] bytes, int start, int end) {
        try {
            return mapper.readTree(bytes, start, end - start);
        } catch (IOException e) {
            return null;
        }
    }

    /** True when the next non-blank line is one complete JSON object or array: then the input is JSON lines. */
    private boolean nextLineIsJsonValue(byte[] bytes, int from, int end) {
        int start = skipBlank(bytes, from, end);
        if (start == end || (bytes[start] != '{' && bytes[start] != '[')) {
            return false;
        }
        int lineEnd = indexOf(bytes, (byte) '\n', start, end);
        try (JsonParser p = mapper.getFactory().createParser(bytes, start, lineEnd - start)) {
            p.nextToken();
            p.skipChildren();
            return p.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }

    private void root(JsonNode node, String source, DecodeOutput out) {
        if (node.isArray() && node.isEmpty()) {
            out.skipped("empty JSON array");
        } else if (node.isObject()) {
            object(node, source, out);
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                if (element.isObject()) {
                    object(element, source, out);
                } else {
                    out.deadLetter(DeadLetter.of(source, STAGE, "array element is not a JSON object", element.toString()));
                }
            }
        } else {
            out.deadLetter(DeadLetter.of(source, STAGE, "JSON value is not an object or array", node.toString()));
        }
    }

    private void object(JsonNode node, String source, DecodeOutput out) {
        object(node, source, out, null);
    }

    /** @param carrier the CloudWatch Logs message of whose log event {@code node} is the text, or null */
    private void object(JsonNode node, String source, DecodeOutput out, JsonNode carrier) {
        JsonNode records = node.get("Records");
        if (records != null && records.isArray()) {
            if (records.isEmpty()) {
                out.skipped("CloudTrail log file without records");
            }
            for (JsonNode record : records) {
                cloudTrail(record, null, null, source, out);
            }
        } else if (node.has("messageType") && node.has("logEvents")) {
            if (carrier != null) {
                out.rejected(DeadLetter.of(source, STAGE, "CloudWatch Logs message nested in a log event of owner "
                        + CloudWatchLogsSenders.shown(text(carrier, "owner")) + ", log group "
                        + CloudWatchLogsSenders.shown(text(carrier, "logGroup"))
                        + ": its owner and log group are only the writer's claim",
                        node.toString()));
                return;
            }
            cloudWatchLogs(node, source, out);
        } else if (node.has("detail-type") && node.has("detail")) {
            eventBridge(node, source, out);
        } else if (node.has("eventVersion") || (node.has("eventSource") && node.has("eventName"))) {
            cloudTrail(node, null, null, source, out);
        } else {
            out.deadLetter(DeadLetter.of(source, STAGE, "unrecognised JSON object (fields: " + fieldNames(node) + ")",
                    node.toString()));
        }
    }

    private void cloudWatchLogs(JsonNode node, String source, DecodeOutput out) {
        String type = text(node, "messageType");
        if ("CONTROL_MESSAGE".equals(type)) {
            out.skipped("CloudWatch Logs control message");
            return;
        }
        String logSource = source + "#" + text(node, "logGroup");
        if (!accepted(node, logSource, out)) {
            return;
        }
        JsonNode logEvents = node.path("logEvents");
        if (!logEvents.isArray()) {
            out.deadLetter(DeadLetter.of(logSource, STAGE, "logEvents is not an array", node.toString()));
            return;
        }
        if (logEvents.isEmpty()) {
            out.skipped("CloudWatch Logs message without log events");
            return;
        }
        for (JsonNode logEvent : logEvents) {
            String message = text(logEvent, "message");
            if (message == null) {
                out.deadLetter(DeadLetter.of(logSource, STAGE, "log event without message", logEvent.toString()));
                continue;
            }
            if (prefilter != null && prefilter.skippable(message)) {
                out.prefiltered();
                continue;
            }
            try {
                JsonNode record = mapper.readTree(message);
                if (record != null && record.isObject()) {
                    object(record, logSource, out, node);
                } else {
                    out.deadLetter(DeadLetter.of(logSource, STAGE, "log event message is not a JSON object", message));
                }
            } catch (JsonProcessingException e) {
                out.deadLetter(DeadLetter.of(logSource, STAGE, "malformed JSON in log event: " + e.getOriginalMessage(),
                        message));
            }
        }
    }

    /** Whether the message's sender is accepted; a rejected message is a dead letter of its own, counted apart. */
    private boolean accepted(JsonNode message, String logSource, DecodeOutput out) {
        String owner = text(message, "owner");
        String logGroup = text(message, "logGroup");
        String rejection = senders.rejection(owner, logGroup);
        if (rejection != null) {
            out.rejected(DeadLetter.of(logSource, STAGE, rejection, message.toString()));
            return false;
        }
        if (!senders.restricted() && WARNED_UNRESTRICTED.compareAndSet(false, true)) {
            LOG.warn("CloudWatch Logs messages are accepted from any owner and log group (this one: owner {}, log"
                    + " group {}); when other accounts can send to the stream, list the senders in {} and {} (on"
                    + " Managed Service for Apache Flink: KinesisSource.cloudwatch.logs.owners and"
                    + " .log.groups)", CloudWatchLogsSenders.shown(owner), CloudWatchLogsSenders.shown(logGroup),
                    CloudWatchLogsSenders.OWNERS_KEY,
                    CloudWatchLogsSenders.LOG_GROUPS_KEY);
        }
        return true;
    }

    private void eventBridge(JsonNode envelope, String source, DecodeOutput out) {
        String detailType = text(envelope, "detail-type");
        JsonNode detail = envelope.get("detail");
        try {
            if (detailType == null || !detail.isObject()) {
                throw new EventMapper.InvalidRecord("EventBridge event without detail-type or detail object");
            }
            switch (detailType) {
                case "AWS API Call via CloudTrail":
                case "AWS Service Event via CloudTrail":
                    cloudTrail(detail, text(envelope, "region"), text(envelope, "account"), source, out);
                    return;
                case "Inspector2 Scan":
                    // Inspector also scans EC2 instances and Lambda functions: only container images are ours.
                    out.event(detail.has("repository-name") ? EventMapper.scan(envelope, detail)
                            : EventMapper.other(envelope, detail, EventKind.OTHER));
                    return;
                case "ECR Image Scan":
                    out.event(EventMapper.scan(envelope, detail));
                    return;
                case "ECR Image Action":
                    out.event(EventMapper.other(envelope, detail, EventKind.IMAGE_ACTION));
                    return;
                case EventMapper.CUSTOM_ACTION:
                    // One event per selected finding; each carries the envelope narrowed to that finding.
                    List<EcrEvent> selected = EventMapper.customActions(envelope, detail);
                    if (selected.isEmpty()) {
                        out.skipped("Security Hub custom action without findings");
                    }
                    selected.forEach(out::event);
                    return;
                default:
                    out.event(EventMapper.other(envelope, detail, EventKind.OTHER));
            }
        } catch (EventMapper.InvalidRecord e) {
            out.deadLetter(DeadLetter.of(source, STAGE, e.getMessage(), envelope.toString()));
        }
    }

    private void cloudTrail(JsonNode record, String region, String account, String source, DecodeOutput out) {
        if (!record.isObject()) {
            out.deadLetter(DeadLetter.of(source, STAGE, "CloudTrail record is not a JSON object", record.toString()));
            return;
        }
        try {
            out.event(EventMapper.cloudTrail(record, region, account));
        } catch (EventMapper.InvalidRecord e) {
            out.deadLetter(DeadLetter.of(source, STAGE, e.getMessage(), record.toString()));
        }
    }

    static boolean isGzip(byte[] b, int offset, int length) {
        return length >= 2 && (b[offset] & 0xff) == 0x1f && (b[offset + 1] & 0xff) == 0x8b;
    }

    /** A payload over input.maxInflatedBytes: its reason names the key. */
    public static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        public TooLarge(String reason) {
            super(reason);
        }
    }

    /** The reason of a dead letter that inflates beyond {@code max}. */
    public static String inflatesBeyond(long max) {
        return "inflates beyond input.maxInflatedBytes (" + max + " bytes)";
    }

    /** The reason of a dead letter of {@code size} bytes, more than {@code max} before any inflating. */
    public static String larger(long size, long max) {
        return larger(String.valueOf(size), max);
    }

    public static String larger(String size, long max) {
        return size + " bytes, larger than input.maxInflatedBytes (" + max + " bytes)";
    }

    /** Inflates gzip (one or more members) up to the built-in {@link #DEFAULT_MAX_INFLATED_BYTES}. */
    static byte[] gunzip(byte[] bytes, int offset, int length) throws IOException {
        return gunzip(bytes, offset, length, DEFAULT_MAX_INFLATED_BYTES);
    }

    /**
     * Inflates gzip (one or more members), never holding more than {@code max} inflated bytes. The output
     * array is sized from the trailer's ISIZE (the last member's size mod 2^32, exact for a log file), so a
     * log file is inflated into one array, uncopied. When that claim was short the rest is only counted,
     * in a small buffer, up to {@code max}; then the whole is inflated again into an array of its size.
     *
     * @throws TooLarge when it inflates to more than {@code max} bytes
     */
    static byte[] gunzip(byte[] bytes, int offset, int length, long max) throws IOException {
        long isize = length >= 18 ? (bytes[offset + length - 4] & 0xffL) | (bytes[offset + length - 3] & 0xffL) << 8
                | (bytes[offset + length - 2] & 0xffL) << 16 | (bytes[offset + length - 1] & 0xffL) << 24 : 0;
        // A trailer is only a claim: never more than deflate's best ratio (1032:1), 64 MiB or the cap up front.
        long guess = Math.min(isize > 0 ? isize : (long) length * 4, Math.min((long) length * 1032, 64L << 20));
        byte[] out = new byte[(int) Math.min(Math.max(64, guess), max)];
        long total;
        try (InputStream in = gzipStream(bytes, offset, length)) {
            int n = in.readNBytes(out, 0, out.length);
            if (n < out.length) {
                return Arrays.copyOf(out, n);
            }
            long rest = count(in, max - n);
            if (rest < 0) {
                throw new TooLarge(inflatesBeyond(max));
            }
            total = n + rest;
        }
        if (total == out.length) {
            return out;
        }
        out = null; // let it go before the whole is inflated again
        byte[] whole = new byte[(int) total];
        try (InputStream in = gzipStream(bytes, offset, length)) {
            in.readNBytes(whole, 0, whole.length);
        }
        return whole;
    }

    private static InputStream gzipStream(byte[] bytes, int offset, int length) throws IOException {
        return new GZIPInputStream(new ByteArrayInputStream(bytes, offset, length), 64 * 1024);
    }

    /** The bytes left in {@code in}, read into a small buffer and dropped; -1 as soon as they are over {@code room}. */
    private static long count(InputStream in, long room) throws IOException {
        byte[] scratch = new byte[64 * 1024];
        long n = 0;
        for (int r; (r = in.read(scratch)) > 0; ) {
            n += r;
            if (n > room) {
                return -1;
            }
        }
        return n;
    }

    private static int skipBlank(byte[] b, int from, int end) {
        int i = from;
        // UTF-8 byte order mark
        if (end - i >= 3 && (b[i] & 0xff) == 0xEF && (b[i + 1] & 0xff) == 0xBB && (b[i + 2] & 0xff) == 0xBF) {
            i += 3;
        }
        while (i < end && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
            i++;
        }
        return i;
    }

    private static boolean looksBinary(byte[] b, int from, int end) {
        int limit = Math.min(end, from + 512);
        boolean newline = false;
        for (int i = from; i < limit; i++) {
            int c = b[i] & 0xff;
            if (c == '\n') {
                newline = true;
            } else if (c < 0x20 && c != '\r' && c != '\t') {
                return true;
            }
        }
        return !newline;
    }

    private static int indexOf(byte[] b, byte value, int from, int end) {
        for (int i = from; i < end; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return end;
    }

    private static String fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        Iterator<String> it = node.fieldNames();
        while (it.hasNext() && names.size() < 8) {
            names.add(it.next());
        }
        return String.join(", ", names);
    }
}
