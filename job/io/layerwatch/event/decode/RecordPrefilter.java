package io.layerwatch.event.decode;

import io.layerwatch.event.CloudTrailFields;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.event.EventKind;
import io.layerwatch.event.SessionKeys;
import java.nio.charset.StandardCharsets;
import java.time.Month;
import java.time.Year;
import java.util.Arrays;

/**
 * A byte-level scanner that finds CloudTrail records of other services (S3, EC2, STS, ...) without
 * building a JSON tree, so the decoder can count them as read and never parse them.
 *
 * <p>It scans one root JSON value (a log file {@code {"Records":[...]}} or one standalone record)
 * and classifies it: {@link Kind#SKIP} (a standalone record to skip), {@link Kind#RECORDS} (a log
 * file, each record marked skip or parse) or {@link Kind#PARSE} (hand the whole value to Jackson).
 * It returns null (the caller falls back to the full decoder for the rest of the payload) for
 * anything outside the conservative JSON subset it checks strictly: bad syntax, nesting deeper than
 * {@value #MAX_DEPTH}, strings over 1 MiB (names over {@value #MAX_NAME} bytes), numbers over
 * {@value #MAX_NUMBER} characters, a root that is not an object or array.
 *
 * <p>Why skipping is safe: a record is marked skip only when all of this holds, and then the full
 * decoder would turn it into a valid {@link EventKind#API_CALL} event whose eventSource is not
 * {@value EcrEvent#ECR_SOURCE}, which {@link EcrEvent#analysed()} rejects (no rule sees it):
 *
 * <ul>
 *   <li>the record is syntactically valid JSON within the subset (so Jackson parses it), pure ASCII
 *       with no backslash-u escape (so the raw bytes are the text Jackson sees), and no key at its
 *       top level has an escape (so no key hides behind one);
 *   <li>eventSource, eventName and eventTime occur exactly once at its top level, all strings;
 *       eventSource is not empty, has no escape and is not {@value EcrEvent#ECR_SOURCE}; eventName
 *       is not empty; eventTime has no escape and {@link CloudTrailFields#validEventTime} accepts
 *       it (the only checks that make the mapping reject a record; the rest of the mapping cannot
 *       fail);
 *   <li>a standalone record also has none of the keys that route an object elsewhere in the decoder
 *       (Records, messageType, logEvents, detail-type, detail);
 *   <li>it is not the first sighting of a session key: a record whose {@code
 *       userIdentity.accessKeyId} is an {@code ASIA...} key that {@link SessionKeys} has not seen
 *       at this or an earlier time is parsed, so the decoder can report the session's origin
 *       ({@link EventKind#SESSION_ORIGIN}); later records of the key are skipped. The seen keys are
 *       bounded ({@link SessionKeys#MAX_KEYS}).
 * </ul>
 *
 * Records that are not vouched for (ECR calls, non-ASCII, escapes, odd fields) are parsed by
 * Jackson, and a log file's records are all parsed before any is emitted, so a failure there still
 * falls back to the full decoder with nothing emitted. EventBridge envelopes are never skipped.
 *
 * <p>Not thread-safe: one per decoder.
 */
final class RecordPrefilter extends JsonScanner {

    /** A log file whose first records are all to be parsed is left to the full decoder. */
    static final int GIVE_UP_AFTER = 8;

    enum Kind {
        /** A standalone CloudTrail record of another service: count it as read, do not parse it. */
        SKIP,
        /** Parse the whole value with Jackson. */
        PARSE,
        /** A CloudTrail log file: {@link Root#skip} says which records to parse. */
        RECORDS
    }

    /** One scanned root value; reused by the next scan. */
    static final class Root {
        Kind kind;
        int start;
        int end;

        /** RECORDS: the records in order, their byte ranges, and whether each is skipped. */
        int count;

        int[] starts = new int[64];
        int[] ends = new int[64];
        boolean[] skip = new boolean[64];

        private void add(int s, int e, boolean skipped) {
            if (count == starts.length) {
                starts = Arrays.copyOf(starts, count * 2);
                ends = Arrays.copyOf(ends, count * 2);
                skip = Arrays.copyOf(skip, count * 2);
            }
            starts[count] = s;
            ends[count] = e;
            skip[count] = skipped;
            count++;
        }
    }

    private static final byte[] ECR = bytes(EcrEvent.ECR_SOURCE);
    private static final byte[] EVENT_SOURCE = bytes("eventSource");
    private static final byte[] EVENT_NAME = bytes("eventName");
    private static final byte[] EVENT_TIME = bytes("eventTime");
    private static final byte[] RECORDS = bytes("Records");
    private static final byte[] USER_IDENTITY = bytes("userIdentity");
    private static final byte[] ACCESS_KEY_ID = bytes("accessKeyId");

    /**
     * Keys that make {@code PayloadDecoder} treat a standalone object as something else than a
     * record.
     */
    private static final byte[][] ROUTING_KEYS = {
        RECORDS, bytes("messageType"), bytes("logEvents"), bytes("detail-type"), bytes("detail")
    };

    private final Root root = new Root();
    private final SessionKeys sessions = new SessionKeys();
    // Top-level fields of the record being scanned.
    private int sources;
    private int names;
    private int times;
    private boolean sourceOk;
    private boolean nameOk;
    private boolean timeOk;
    private boolean escapedKey;
    private boolean routingKey;
    private int sourceStart;
    private int sourceEnd;
    private int timeStart;
    private int timeEnd;
    // userIdentity.accessKeyId of the record being scanned: how often, where, and whether escaped.
    private int accessKeys;
    private int keyStart;
    private int keyEnd;
    private boolean keyEscaped;

    /** Members being scanned are userIdentity's. */
    private boolean inIdentity;

    /**
     * Scans the root value starting at {@code from} (its first byte, not whitespace).
     *
     * @return the classified root (valid until the next call), or null when it is not provable
     */
    Root scan(byte[] bytes, int from, int to) {
        start(bytes, from, to);
        root.count = 0;
        root.start = from;
        try {
            byte c = peek();
            if (c == '{') {
                rootObject();
            } else if (c == '[') {
                value(1);
                root.kind = Kind.PARSE;
            } else {
                return null;
            }
            root.end = pos;
            return root;
        } catch (Unprovable | ArrayIndexOutOfBoundsException e) {
            return null;
        }
    }

    /**
     * True when {@code message} (a CloudWatch Logs log event) is exactly one record the decoder may
     * skip.
     */
    boolean skippable(String message) {
        int n = message.length();
        byte[] ascii = new byte[n];
        for (int i = 0; i < n; i++) {
            char c = message.charAt(i);
            if (c >= 0x80) {
                return false;
            }
            ascii[i] = (byte) c;
        }
        int from = skipWhitespace(ascii, 0, n);
        Root r = from < n ? scan(ascii, from, n) : null;
        return r != null && r.kind == Kind.SKIP && skipWhitespace(ascii, r.end, n) == n;
    }

    // ---- the root object: a log file, a standalone record, or anything else
    // ---------------------------------

    private void rootObject() {
        startRecord();
        int recordsKeys = 0;
        boolean recordsArray = false;
        int dirtyInRecords = 0;
        if (opensEmpty('}')) {
            root.kind = Kind.PARSE;
            return;
        }
        while (true) {
            key();
            if (!strEscaped && equals(strStart, strEnd, RECORDS)) {
                recordsKeys++;
                routingKey = true;
                if (peek() == '[' && recordsKeys == 1) {
                    recordsArray = true;
                    dirtyInRecords = records();
                } else {
                    value(2);
                }
            } else {
                member(1);
            }
            if (closes('}')) {
                break;
            }
        }
        boolean cleanOutsideRecords = dirty == dirtyInRecords;
        if (recordsKeys == 1
                && recordsArray
                && cleanOutsideRecords
                && !escapedKey
                && anySkipped()) {
            root.kind = Kind.RECORDS;
        } else if (recordsKeys == 0 && dirty == 0 && !routingKey && skippableRecord()) {
            root.kind = Kind.SKIP;
        } else {
            root.kind = Kind.PARSE;
        }
    }

    private boolean anySkipped() {
        for (int i = 0; i < root.count; i++) {
            if (root.skip[i]) {
                return true;
            }
        }
        return false;
    }

    /** The Records array: each element classified; returns the dirt found inside it. */
    private int records() {
        if (opensEmpty(']')) {
            return 0;
        }
        boolean outerEscapedKey = escapedKey;
        int dirtyBefore = dirty;
        while (true) {
            int start = pos;
            int dirtyAtStart = dirty;
            boolean skipped = false;
            if (peek() == '{') {
                startRecord();
                object(3, true);
                skipped = dirty == dirtyAtStart && skippableRecord();
            } else {
                value(3);
            }
            root.add(start, pos, skipped);
            if (root.count == GIVE_UP_AFTER && !anySkipped()) {
                throw UNPROVABLE; // an ECR log file: the full decoder parses it whole, without this
                // scan
            }
            if (closes(']')) {
                break;
            }
        }
        // The records' own fields must not leak into the root's classification.
        startRecord();
        escapedKey = outerEscapedKey;
        routingKey = true;
        return dirty - dirtyBefore;
    }

    private void startRecord() {
        sources = 0;
        names = 0;
        times = 0;
        sourceOk = false;
        nameOk = false;
        timeOk = false;
        escapedKey = false;
        routingKey = false;
        accessKeys = 0;
    }

    /**
     * One member of a record's top level (key already scanned): notes the fields the decision
     * needs.
     */
    @Override
    void member(int depth) {
        if (inIdentity) {
            identityMember(depth);
            return;
        }
        if (strEscaped) {
            escapedKey = true;
            value(depth + 1);
            return;
        }
        int ks = strStart;
        int ke = strEnd;
        boolean string = peek() == '"';
        if (equals(ks, ke, EVENT_SOURCE)) {
            sources++;
            value(depth + 1);
            sourceOk = string && !strEscaped && strEnd > strStart;
            sourceStart = strStart;
            sourceEnd = strEnd;
        } else if (equals(ks, ke, EVENT_NAME)) {
            names++;
            value(depth + 1);
            nameOk = string && strEnd > strStart;
        } else if (equals(ks, ke, EVENT_TIME)) {
            times++;
            value(depth + 1);
            timeOk = string && !strEscaped;
            timeStart = strStart;
            timeEnd = strEnd;
        } else if (string || !equals(ks, ke, USER_IDENTITY) || peek() != '{') {
            routingKey |= routing(ks, ke);
            value(depth + 1);
        } else {
            identity(depth + 1);
        }
    }

    /** The userIdentity object: its members go to {@link #identityMember}. */
    private void identity(int depth) {
        inIdentity = true;
        try {
            object(depth, true);
        } finally {
            inIdentity = false;
        }
    }

    /** A member of userIdentity (key already scanned): notes an accessKeyId, scans the rest. */
    private void identityMember(int depth) {
        boolean accessKey = !strEscaped && equals(strStart, strEnd, ACCESS_KEY_ID);
        boolean string = peek() == '"';
        value(depth + 1);
        if (accessKey) {
            accessKeys++;
            keyStart = strStart;
            keyEnd = strEnd;
            keyEscaped = strEscaped || !string; // not a plain string: parsed, as unclear
        }
    }

    /**
     * Whether the record is the first sighting, at its time, of an {@code ASIA...} session key
     * (noted as seen): then it is parsed, so that its origin is reported. Anything unclear about
     * the key is parsed too.
     */
    private boolean sessionOrigin() {
        if (accessKeys == 0) {
            return false;
        }
        if (accessKeys > 1 || keyEscaped) {
            return true;
        }
        if (!SessionKeys.isSessionKey(b, keyStart, keyEnd)) {
            return false;
        }
        long time =
                plainUtcTime(b, timeStart, timeEnd)
                        ? SessionKeys.timeKey(b, timeStart)
                        : Long.MIN_VALUE;
        return sessions.firstSighting(b, keyStart, keyEnd, time);
    }

    private boolean routing(int ks, int ke) {
        int n = ke - ks;
        if (n == 6 || n == 7 || n == 9
                || n == 11) { // detail, Records, logEvents, messageType / detail-type
            for (byte[] routing : ROUTING_KEYS) {
                if (equals(ks, ke, routing)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The decision on the record just scanned (its dirt already checked by the caller). */
    private boolean skippableRecord() {
        return !escapedKey
                && sources == 1
                && names == 1
                && times == 1
                && sourceOk
                && nameOk
                && timeOk
                && !equals(sourceStart, sourceEnd, ECR)
                && validTime(b, timeStart, timeEnd)
                && !sessionOrigin();
    }

    /**
     * Whether {@link CloudTrailFields#validEventTime} accepts the (ASCII, unescaped) time; the
     * usual form without a String.
     */
    static boolean validTime(byte[] bytes, int start, int end) {
        return plainUtcTime(bytes, start, end)
                || CloudTrailFields.validEventTime(
                        new String(bytes, start, end - start, StandardCharsets.ISO_8859_1));
    }

    /**
     * {@code YYYY-MM-DDTHH:MM:SSZ} with a real date and a time of day before 24:00 (leap seconds
     * excluded): the form CloudTrail writes, which {@link java.time.Instant#parse} always accepts.
     */
    static boolean plainUtcTime(byte[] t, int start, int end) {
        if (end - start != 20
                || t[start + 4] != '-'
                || t[start + 7] != '-'
                || t[start + 10] != 'T'
                || t[start + 13] != ':'
                || t[start + 16] != ':'
                || t[start + 19] != 'Z') {
            return false;
        }
        int year = digits(t, start, 4);
        int month = digits(t, start + 5, 2);
        int day = digits(t, start + 8, 2);
        int hour = digits(t, start + 11, 2);
        int minute = digits(t, start + 14, 2);
        int second = digits(t, start + 17, 2);
        return year >= 0
                && month >= 1
                && month <= 12
                && day >= 1
                && day <= Month.of(month).length(Year.isLeap(year))
                && hour >= 0
                && hour <= 23
                && minute >= 0
                && minute <= 59
                && second >= 0
                && second <= 59;
    }

    /** The decimal number of {@code n} ASCII digits at {@code at}, or -1. */
    private static int digits(byte[] t, int at, int n) {
        int v = 0;
        for (int i = at; i < at + n; i++) {
            if (t[i] < '0' || t[i] > '9') {
                return -1;
            }
            v = v * 10 + (t[i] - '0');
        }
        return v;
    }
}
