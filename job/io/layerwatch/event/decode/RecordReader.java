package io.layerwatch.event.decode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import io.layerwatch.event.CloudTrailFields;
import io.layerwatch.event.Fields;
import io.layerwatch.event.PrincipalNormalizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Reads CloudTrail records straight from their bytes into {@link CloudTrailFields}: the decoder's
 * fastest path, for the records CloudTrail itself writes. It vouches only for what it reads exactly
 * as the token reader ({@link CloudTrailFields#read}) does, and gives up otherwise (the caller then
 * takes the token reader): the bytes must be JSON in {@link JsonScanner}'s subset, pure ASCII
 * without backslash-u escapes (so a string's bytes are its text but for two-character escapes), and
 * each record must be one the token reader vouches for, with no escape in a key: each field the
 * mapping reads at most once, a string or null (userIdentity and requestParameters an object or
 * null), eventID present. Two-character escapes (quote, backslash, slash, b, f, n, r, t) are read
 * as Jackson reads them.
 *
 * <p>userIdentity and requestParameters become {@link Fields} of their own holding only the members
 * the mapping reads, which answer as the token reader's pruned trees do. Not thread-safe: one per
 * decoder.
 */
final class RecordReader extends JsonScanner {

    /** Turns one record the reader vouched for into what the decoder emits. */
    interface Sink<T> {
        T record(CloudTrailFields fields, byte[] bytes, int start, int end, boolean spaced);
    }

    private static final byte[] RECORDS = bytes("Records");

    /**
     * The members the mapping reads, in {@link CloudTrailFields}' order: ten strings, then the two
     * objects.
     */
    private static final Names NAMES = new Names(CloudTrailFields.NAMES);

    private static final Names READ = new Names(CloudTrailFields.READ);
    private static final int IMAGE_IDS = CloudTrailFields.READ.indexOf(CloudTrailFields.IMAGE_IDS);

    /**
     * Per member of READ: whether its texts repeat enough to be worth the cache (principal ids
     * carry the session).
     */
    private static final boolean[] REPEATS = repeats(Set.of("principalId"));

    private static final int STRINGS = CloudTrailFields.STRING_COUNT;
    private static final Set<String> WALKED = CloudTrailFields.WALKED;

    private final ObjectMapper mapper;
    private final StringCache cache = new StringCache();

    RecordReader(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * A CloudTrail log file at [from, to): exactly {@code {"Records":[...]}} (whitespace aside)
     * whose elements are records this reader vouches for. Returns what {@code sink} made of each,
     * in order, or null when it cannot vouch for the whole file.
     */
    <T> List<T> logFile(byte[] bytes, int from, int to, Sink<T> sink) {
        start(bytes, from, to);
        try {
            if (next() != '{') {
                return null;
            }
            whitespace();
            key();
            if (strEscaped || !equals(strStart, strEnd, RECORDS) || next() != '[') {
                return null;
            }
            whitespace();
            List<T> out = new ArrayList<>();
            if (peek() != ']') {
                do {
                    int start = pos;
                    CloudTrailFields fields = record();
                    out.add(sink.record(fields, b, start, pos, spaced));
                } while (!closes(']'));
            } else {
                pos++;
            }
            whitespace();
            return next() == '}' && skipWhitespace(b, pos, limit) == limit ? out : null;
        } catch (Unprovable | ArrayIndexOutOfBoundsException e) {
            return null;
        }
    }

    /**
     * One record at [from, to), nothing else: what {@code sink} made of it, or null when the reader
     * cannot vouch for it.
     */
    <T> T record(byte[] bytes, int from, int to, Sink<T> sink) {
        start(bytes, from, to);
        try {
            CloudTrailFields fields = record();
            return pos == to ? sink.record(fields, b, from, to, spaced) : null;
        } catch (Unprovable | ArrayIndexOutOfBoundsException e) {
            return null;
        }
    }

    /**
     * The record object at {@code pos}, read to its end; {@link #spaced} tells whether it had
     * whitespace.
     */
    private CloudTrailFields record() {
        spaced = false;
        if (peek() != '{') {
            throw UNPROVABLE;
        }
        String[] s = new String[STRINGS];
        Fields identity = Fields.NONE;
        Fields params = Fields.NONE;
        int seen = 0;
        if (!opensEmpty('}')) {
            do {
                key();
                int i = strEscaped ? -2 : NAMES.find(b, strStart, strEnd);
                if (i == -2 || (i >= 0 && (seen & (1 << i)) != 0)) {
                    throw UNPROVABLE;
                }
                if (i < 0) {
                    value(4);
                    continue;
                }
                seen |= 1 << i;
                byte c = peek();
                if (c == 'n') {
                    literal("null");
                } else if (i < STRINGS && c == '"') {
                    s[i] =
                            text(
                                    i != CloudTrailFields.EVENT_TIME
                                            && i
                                                    != CloudTrailFields
                                                            .EVENT_ID); // those rarely repeat
                } else if (i >= STRINGS && c == '{') {
                    Read node = pruned(4);
                    if (i == STRINGS) {
                        identity = node;
                    } else {
                        params = node;
                    }
                } else {
                    throw UNPROVABLE;
                }
            } while (!closes('}'));
        }
        if (dirty != 0 || s[CloudTrailFields.EVENT_ID] == null) {
            throw UNPROVABLE;
        }
        return CloudTrailFields.of(s, identity, params);
    }

    /**
     * A string the mapping reads: its text, null when empty; the cached instance if {@code repeats}
     * (keyed by its bytes, escapes and all). Its escapes are the two-character ones: non-ASCII
     * bytes and backslash-u escapes make the record dirty, which the reader declines at its end, so
     * such a text is not cached.
     */
    private String text(boolean repeats) {
        int dirt = dirty;
        string(MAX_STRING);
        if (strEnd == strStart) {
            return null;
        }
        return repeats && dirty == dirt
                ? cache.get(b, strStart, strEnd, strEscaped)
                : unescaped(b, strStart, strEnd, strEscaped);
    }

    /**
     * The text of string content at [start, end), with two-character escapes if {@code escaped}.
     */
    static String unescaped(byte[] b, int start, int end, boolean escaped) {
        if (!escaped) {
            return new String(b, start, end - start, StandardCharsets.ISO_8859_1);
        }
        byte[] text = new byte[end - start];
        int n = 0;
        for (int i = start; i < end; i++) {
            byte c = b[i];
            if (c == '\\') {
                c =
                        switch (b[++i]) {
                            case 'b' -> '\b';
                            case 'f' -> '\f';
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            default -> b[i]; // quote, backslash, slash
                        };
            }
            text[n++] = c;
        }
        return new String(text, 0, n, StandardCharsets.ISO_8859_1);
    }

    /**
     * The members of an object that the mapping reads ({@link CloudTrailFields#READ}), as the token
     * reader's pruned tree answers for them: the last of a repeated member counts; a string's text,
     * a number's or boolean's as Jackson writes it; the objects it walks into, read alike;
     * imageIds' object elements (it asks the others for nothing). An imageIds object (whose values
     * a tree would iterate) is declined.
     */
    private Read pruned(int depth) {
        if (depth > MAX_DEPTH) {
            throw UNPROVABLE;
        }
        Read node = new Read();
        if (opensEmpty('}')) {
            return node;
        }
        do {
            key();
            if (strEscaped) {
                throw UNPROVABLE;
            }
            int i = READ.find(b, strStart, strEnd);
            byte c = peek();
            if (i < 0) {
                value(depth + 1);
                continue;
            }
            node.forget(i);
            if (c == '"') {
                node.texts[i] = text(REPEATS[i]);
            } else if (c == '{' && i == IMAGE_IDS) {
                throw UNPROVABLE;
            } else if (c == '{' && WALKED.contains(CloudTrailFields.READ.get(i))) {
                node.object(i, pruned(depth + 1));
            } else if (c == '[' && i == IMAGE_IDS) {
                node.imageIds = imageIds(depth + 1);
            } else if (c == '{' || c == '[') {
                value(depth + 1);
            } else {
                int start = pos;
                value(depth + 1);
                node.texts[i] = PrincipalNormalizer.text(tree(start, pos));
            }
        } while (!closes('}'));
        return node;
    }

    private List<Fields> imageIds(int depth) {
        if (depth > MAX_DEPTH) {
            throw UNPROVABLE;
        }
        List<Fields> ids = new ArrayList<>(2);
        if (opensEmpty(']')) {
            return ids;
        }
        do {
            if (peek() == '{') {
                ids.add(pruned(depth + 1));
            } else {
                value(depth + 1);
            }
        } while (!closes(']'));
        return ids;
    }

    /**
     * {@link Fields} read from the bytes: per member of {@link CloudTrailFields#READ}, its text or
     * its object.
     */
    private static final class Read implements Fields {
        private static final Map<String, Integer> INDEX =
                IntStream.range(0, CloudTrailFields.READ.size())
                        .boxed()
                        .collect(Collectors.toUnmodifiableMap(CloudTrailFields.READ::get, i -> i));

        final String[] texts = new String[CloudTrailFields.READ.size()];
        private Read[] objects;
        List<Fields> imageIds;

        void forget(int i) {
            texts[i] = null;
            if (objects != null) {
                objects[i] = null;
            }
            if (i == IMAGE_IDS) {
                imageIds = null;
            }
        }

        void object(int i, Read value) {
            if (objects == null) {
                objects = new Read[texts.length];
            }
            objects[i] = value;
        }

        @Override
        public String text(String name) {
            Integer i = INDEX.get(name);
            return i == null ? null : texts[i];
        }

        @Override
        public Fields object(String name) {
            Integer i = INDEX.get(name);
            return i == null || objects == null || objects[i] == null ? Fields.NONE : objects[i];
        }

        /** Only imageIds' elements are kept (the one member the mapping iterates). */
        @Override
        public List<Fields> objects(String name) {
            return imageIds != null && name.equals(CloudTrailFields.IMAGE_IDS)
                    ? imageIds
                    : List.of();
        }
    }

    /**
     * The value at [start, end) as Jackson's tree (numbers, literals, imageIds: the token reader's
     * readTree).
     */
    private JsonNode tree(int start, int end) {
        try {
            JsonNode value = mapper.readTree(b, start, end - start);
            return value == null || value.isMissingNode() ? NullNode.getInstance() : value;
        } catch (IOException e) {
            throw UNPROVABLE;
        }
    }

    /** Member names, looked up among those of the same length. */
    private static final class Names {
        private static final int LENGTHS = 32;
        private final byte[][] names;

        /**
         * For each length below {@link #LENGTHS}: the indexes of the names that long (null: none).
         */
        private final int[][] byLength = new int[LENGTHS][];

        Names(List<String> names) {
            this.names = names.stream().map(JsonScanner::bytes).toArray(byte[][]::new);
            for (int i = 0; i < this.names.length; i++) {
                int n = this.names[i].length;
                byLength[n] =
                        byLength[n] == null
                                ? new int[] {i}
                                : IntStream.concat(Arrays.stream(byLength[n]), IntStream.of(i))
                                        .toArray();
            }
        }

        /** The index of the name at [start, end) of {@code b}, or -1. */
        int find(byte[] b, int start, int end) {
            int n = end - start;
            int[] candidates = n < LENGTHS ? byLength[n] : null;
            if (candidates != null) {
                for (int i : candidates) {
                    if (Arrays.equals(b, start, end, names[i], 0, names[i].length)) {
                        return i;
                    }
                }
            }
            return -1;
        }
    }

    private static boolean[] repeats(Set<String> unique) {
        boolean[] out = new boolean[CloudTrailFields.READ.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = !unique.contains(CloudTrailFields.READ.get(i));
        }
        return out;
    }
}
