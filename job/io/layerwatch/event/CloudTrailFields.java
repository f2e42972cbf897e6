package io.layerwatch.event;

import static io.layerwatch.event.PrincipalNormalizer.text;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The parts of a CloudTrail record that {@link EventMapper#cloudTrail} maps: read from a parsed
 * tree, or straight from the token stream (the decoder's hot path: no tree of the whole record,
 * only of the members of two small objects the mapping walks). Strings as {@link
 * PrincipalNormalizer#text} gives them (empty is null); {@code userIdentity} and {@code
 * requestParameters} {@link Fields#NONE} when absent or not objects.
 */
public record CloudTrailFields(
        String eventSource,
        String eventName,
        String eventTime,
        String recipientAccountId,
        String awsRegion,
        String eventId,
        String sourceIp,
        String userAgent,
        String vpcEndpointId,
        String errorCode,
        Fields userIdentity,
        Fields requestParameters) {

    private static final String[] STRINGS = {
        "eventSource",
        "eventName",
        "eventTime",
        "recipientAccountId",
        "awsRegion",
        "eventID",
        "sourceIPAddress",
        "userAgent",
        "vpcEndpointId",
        "errorCode"
    };

    /** How many of the record's members are read as strings (the first components). */
    public static final int STRING_COUNT = STRINGS.length;

    /** Indexes in {@link #STRINGS}. */
    public static final int EVENT_TIME = 2;

    public static final int EVENT_ID = 5;
    private static final int USER_IDENTITY = STRINGS.length;
    private static final int REQUEST_PARAMETERS = STRINGS.length + 1;

    /** The members read, by index: the strings, then userIdentity and requestParameters. */
    public static final List<String> NAMES =
            Stream.concat(Arrays.stream(STRINGS), Stream.of("userIdentity", "requestParameters"))
                    .toList();

    static CloudTrailFields of(JsonNode record) {
        String[] s = new String[STRINGS.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = text(record, STRINGS[i]);
        }
        return of(
                s,
                Fields.of(record.get("userIdentity")),
                Fields.of(record.get("requestParameters")));
    }

    /**
     * The fields of a record from its strings and two objects.
     *
     * @param s the {@link #STRINGS} by index
     */
    public static CloudTrailFields of(String[] s, Fields identity, Fields params) {
        return new CloudTrailFields(
                s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], identity, params);
    }

    /** Whether the mapping accepts {@code text} as a record's eventTime. */
    public static boolean validEventTime(String text) {
        try {
            EventMapper.parseTime(text, "eventTime");
            return true;
        } catch (EventMapper.InvalidRecord e) {
            return false;
        }
    }

    /**
     * Reads the record whose START_OBJECT is the parser's current token, up to its END_OBJECT.
     * Returns null when the stream cannot give what the tree would (a field repeated or of another
     * type than a string, an object or null; no eventID, whose stand-in is derived from the tree's
     * text): the record has been read to its end all the same, for the caller to hand to the tree
     * decoder.
     */
    public static CloudTrailFields read(JsonParser p, ObjectMapper mapper) throws IOException {
        String[] s = new String[STRINGS.length];
        JsonNode identity = null;
        JsonNode params = MissingNode.getInstance();
        int seen = 0;
        boolean vouched = true;
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            JsonToken t = p.nextToken();
            int i = index(name);
            if (i < 0) {
                p.skipChildren();
                continue;
            }
            vouched &= (seen & (1 << i)) == 0;
            seen |= 1 << i;
            if (t == JsonToken.VALUE_NULL) {
                if (i == REQUEST_PARAMETERS) {
                    params = NullNode.getInstance();
                }
            } else if (i < STRINGS.length && t == JsonToken.VALUE_STRING) {
                String v = p.getText();
                s[i] = v.isEmpty() ? null : v;
            } else if (i >= STRINGS.length && t == JsonToken.START_OBJECT) {
                JsonNode node = pruned(p, mapper);
                if (i == USER_IDENTITY) {
                    identity = node;
                } else {
                    params = node;
                }
            } else {
                vouched = false;
                p.skipChildren();
            }
        }
        return vouched && s[EVENT_ID] != null
                ? of(s, Fields.of(identity), Fields.of(params))
                : null;
    }

    /** Objects inside userIdentity that the mapping walks into (pruned the same way). */
    public static final Set<String> WALKED = Set.of("sessionContext", "sessionIssuer");

    /**
     * Every member of userIdentity and requestParameters (and of the objects in them it walks into)
     * that {@link EventMapper#cloudTrail} and {@link PrincipalNormalizer} read: the byte reader
     * keeps only these.
     */
    public static final List<String> READ =
            List.of(
                    "type",
                    "arn",
                    "accountId",
                    "accessKeyId",
                    "invokedBy",
                    "principalId",
                    "userName",
                    "sessionContext",
                    "sessionIssuer",
                    "repositoryName",
                    "registryId",
                    "layerDigest",
                    "imageDigest",
                    "imageTag",
                    "imageIds",
                    "policyText");

    /** A member of requestParameters that the mapping iterates: kept whole. */
    public static final String IMAGE_IDS = "imageIds";

    /**
     * The object whose START_OBJECT is the current token as a tree, without the containers the
     * mapping never reads (it only asks those for text, which a container or an absent member
     * answer alike with null): the same answers as the whole tree, without building it.
     */
    private static ObjectNode pruned(JsonParser p, ObjectMapper mapper) throws IOException {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.VALUE_STRING) {
                node.put(name, p.getText());
            } else if (t == JsonToken.START_OBJECT && WALKED.contains(name)) {
                node.set(name, pruned(p, mapper));
            } else if ((t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY)
                    && !name.equals(IMAGE_IDS)) {
                p.skipChildren();
                node.remove(name); // a repeated name: the last one counts, as in the tree
            } else {
                JsonNode value = mapper.readTree(p);
                node.set(name, value == null ? NullNode.getInstance() : value);
            }
        }
        return node;
    }

    private static int index(String name) {
        return switch (name) {
            case "eventSource" -> 0;
            case "eventName" -> 1;
            case "eventTime" -> 2;
            case "recipientAccountId" -> 3;
            case "awsRegion" -> 4;
            case "eventID" -> 5;
            case "sourceIPAddress" -> 6;
            case "userAgent" -> 7;
            case "vpcEndpointId" -> 8;
            case "errorCode" -> 9;
            case "userIdentity" -> USER_IDENTITY;
            case "requestParameters" -> REQUEST_PARAMETERS;
            default -> -1;
        };
    }
}
