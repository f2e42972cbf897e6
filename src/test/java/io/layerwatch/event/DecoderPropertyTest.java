package io.layerwatch.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layerwatch.event.decode.PayloadDecoder;
import io.layerwatch.event.decode.PayloadDecoderTest.Samples;
import io.layerwatch.testing.CollectingOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Whatever it is given, {@link PayloadDecoder} never throws and loses nothing: every payload yields
 * events, dead letters or a skip; every dead letter is well formed and bounded; every event has its
 * key fields.
 */
class DecoderPropertyTest {

    /** A generated input and how it was made (jqwik prints it when a property fails). */
    record Payload(String description, byte[] bytes) {
        @Override
        public String toString() {
            return description + " (" + bytes.length + " bytes)";
        }
    }

    private static final List<byte[]> PREFIXES =
            List.of(
                    new byte[0],
                    Samples.utf8("{"),
                    Samples.utf8("["),
                    Samples.utf8("{\"Records\":["),
                    Samples.utf8("{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":["),
                    Samples.utf8("\n"),
                    new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                    new byte[] {0x1f, (byte) 0x8b},
                    new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff});

    // ---- the properties
    // ----------------------------------------------------------------------------------------

    @Property(tries = 1000)
    void arbitraryBytes(@ForAll("prefixedBytes") byte[] bytes) {
        decodeSafely(bytes);
    }

    @Property(tries = 500)
    void arbitraryStrings(@ForAll @Size(max = 400) String text) {
        decodeSafely(Samples.utf8(text));
    }

    @Property(tries = 500)
    void jsonTokenSoup(@ForAll("tokenSoup") String text) {
        decodeSafely(Samples.utf8(text));
    }

    @Property(tries = 1000)
    void mutatedRealSamples(@ForAll("mutants") Payload mutant) {
        decodeSafely(mutant.bytes());
    }

    @Property(tries = 1000)
    void randomJsonStructures(@ForAll("jsonPayloads") Payload payload) {
        decodeSafely(payload.bytes());
    }

    @Property(tries = 500)
    void everyRecordOfALogFileYieldsExactlyOneEventOrDeadLetter(
            @ForAll("recordLists") List<JsonNode> records) {
        ObjectNode logFile = JsonNodeFactory.instance.objectNode();
        logFile.putArray("Records").addAll(records);

        CollectingOutput out = decodeSafely(Samples.utf8(logFile.toString()));

        assertThat(out.events().size() + out.deadLetters().size()).isEqualTo(records.size());
    }

    @Property(tries = 300)
    void oneBadLineAmongJsonLinesCostsExactlyOneDeadLetter(
            @ForAll("jsonLines") List<String> lines,
            @ForAll("badLines") String badLine,
            @ForAll Random random) {
        List<String> withBadLine = new ArrayList<>(lines);
        withBadLine.add(random.nextInt(lines.size() + 1), badLine);

        CollectingOutput clean = decodeSafely(Samples.utf8(String.join("\n", lines)));
        CollectingOutput dirty = decodeSafely(Samples.utf8(String.join("\n", withBadLine)));

        assertThat(clean.total())
                .as("every line yields something")
                .isGreaterThanOrEqualTo(lines.size());
        assertThat(dirty.events()).isEqualTo(clean.events());
        assertThat(dirty.skips()).isEqualTo(clean.skips());
        assertThat(dirty.deadLetters()).hasSize(clean.deadLetters().size() + 1);
    }

    // ---- invariants
    // --------------------------------------------------------------------------------------------

    /** Also checks that the prefilter changes nothing that matters on the same input. */
    private static CollectingOutput decodeSafely(byte[] input) {
        CollectingOutput out = new CollectingOutput();
        assertThatCode(() -> new PayloadDecoder().decode(input, CollectingOutput.SOURCE, out))
                .doesNotThrowAnyException();
        CollectingOutput.assertPrefilterAgrees(input);
        assertThat(out.total()).as("outputs of a %d-byte payload", input.length).isPositive();
        out.deadLetters().forEach(DecoderPropertyTest::assertWellFormed);
        out.events().forEach(DecoderPropertyTest::assertWellFormed);
        return out;
    }

    private static void assertWellFormed(DeadLetter dl) {
        assertThat(dl.stage()).isEqualTo(PayloadDecoder.STAGE);
        assertThat(dl.source()).startsWith(CollectingOutput.SOURCE);
        assertThat(dl.reason()).isNotBlank();
        byte[] kept =
                switch (dl.encoding()) {
                    case "utf8" -> Samples.utf8(dl.payload());
                    case "base64" -> Base64.getDecoder().decode(dl.payload());
                    default -> throw new AssertionError("unknown encoding " + dl.encoding());
                };
        assertThat(kept.length).isLessThanOrEqualTo(DeadLetter.MAX_PAYLOAD_BYTES);
        assertThat(dl.payloadBytes()).isGreaterThanOrEqualTo(kept.length);
    }

    private static void assertWellFormed(EcrEvent e) {
        assertThat(e.eventId()).isNotBlank();
        assertThat(e.kind()).isNotNull();
        assertThat(e.eventName()).isNotNull();
        assertThat(e.principal()).isNotNull();
        assertThat(e.principal().arn()).isNotNull();
        assertThat(e.principal().type()).isNotNull();
        assertThat(e.principal().name()).isNotNull();
        assertThat(Samples.parse(Samples.utf8(e.raw())).isObject()).isTrue();
        if (e.kind() == EventKind.API_CALL) {
            assertThat(e.eventSource()).isNotNull();
        }
        assertThatCode(
                        () -> {
                            e.crossAccount();
                            e.registryKey();
                            e.repositoryKey();
                            e.time();
                        })
                .doesNotThrowAnyException();
    }

    // ---- generators
    // --------------------------------------------------------------------------------------------

    @Provide
    Arbitrary<byte[]> prefixedBytes() {
        return Combinators.combine(
                        Arbitraries.of(PREFIXES),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(600))
                .as(DecoderPropertyTest::concat);
    }

    @Provide
    Arbitrary<String> tokenSoup() {
        return Arbitraries.of(
                        "{",
                        "}",
                        "[",
                        "]",
                        ":",
                        ",",
                        "\"",
                        "\\",
                        "\n",
                        " ",
                        "\t",
                        "1",
                        "-0.5e3",
                        "true",
                        "null",
                        "\"Records\"",
                        "\"eventVersion\"",
                        "\"eventSource\"",
                        "\"eventName\"",
                        "\"eventTime\"",
                        "\"detail-type\"",
                        "\"detail\"",
                        "\"messageType\"",
                        "\"logEvents\"",
                        "\"message\"",
                        "\"2023-07-10T12:04:10Z\"",
                        "\"AWS API Call via CloudTrail\"",
                        "\"x\"",
                        "\uFEFF",
                        "é")
                .list()
                .ofMaxSize(80)
                .map(tokens -> String.join("", tokens));
    }

    @Provide
    Arbitrary<Payload> mutants() {
        return Arbitraries.randomValue(DecoderPropertyTest::mutant);
    }

    @Provide
    Arbitrary<Payload> jsonPayloads() {
        return Arbitraries.randomValue(random -> new JsonFuzz(random).payload());
    }

    @Provide
    Arbitrary<List<JsonNode>> recordLists() {
        return Arbitraries.randomValue(
                random -> {
                    JsonFuzz fuzz = new JsonFuzz(random);
                    List<JsonNode> records = new ArrayList<>();
                    for (int i = 1 + random.nextInt(6); i > 0; i--) {
                        records.add(
                                random.nextInt(8) == 0
                                        ? fuzz.anyValue(2)
                                        : fuzz.cloudTrailRecord());
                    }
                    return records;
                });
    }

    /** Lines of JSON objects and arrays, as JSON-lines producers write them. */
    @Provide
    Arbitrary<List<String>> jsonLines() {
        return Arbitraries.randomValue(
                random -> {
                    JsonFuzz fuzz = new JsonFuzz(random);
                    List<String> lines = new ArrayList<>();
                    for (int i = 1 + random.nextInt(5); i > 0; i--) {
                        lines.add(fuzz.container().toString());
                    }
                    return lines;
                });
    }

    @Provide
    Arbitrary<String> badLines() {
        Arbitrary<String> garbage =
                Arbitraries.of(
                        "this is not JSON",
                        "}",
                        "]",
                        "{{",
                        ",",
                        "\"unterminated",
                        "{\"a\":}",
                        "nul",
                        "{\"eventVersion\": \"1.08\", oops}");
        Arbitrary<String> truncated =
                Arbitraries.randomValue(
                                random -> {
                                    String line = new JsonFuzz(random).container().toString();
                                    return line.substring(0, 1 + random.nextInt(line.length() - 1));
                                })
                        .filter(s -> !s.isBlank());
        return Arbitraries.oneOf(garbage, truncated);
    }

    // ---- mutations of the real samples
    // -------------------------------------------------------------------------

    private static Payload mutant(Random random) {
        String resource = Samples.ALL.get(random.nextInt(Samples.ALL.size()));
        String name = resource.substring(resource.lastIndexOf('/') + 1);
        List<String> steps = new ArrayList<>();
        byte[] bytes = Samples.bytes(resource);
        boolean mutateInside = random.nextBoolean();
        if (mutateInside) {
            bytes = mutate(bytes, random, steps);
        }
        String wrapping;
        switch (random.nextInt(5)) {
            case 0 -> wrapping = "plain";
            case 1 -> {
                wrapping = "gzip";
                bytes = Samples.gzip(bytes);
            }
            case 2 -> {
                wrapping = "json-lines";
                String other = Samples.ALL.get(random.nextInt(Samples.ALL.size()));
                bytes = concat(oneLine(bytes), Samples.utf8("\n" + Samples.oneLine(other) + "\n"));
            }
            case 3 -> {
                wrapping = "cloudwatch-logs";
                bytes =
                        Samples.cloudWatchLogs(
                                "DATA_MESSAGE", new String(oneLine(bytes), StandardCharsets.UTF_8));
            }
            default -> {
                wrapping = "eventbridge-cloudtrail";
                bytes =
                        Samples.utf8(
                                "{\"detail-type\":\"AWS API Call via CloudTrail\",\"account\":\"123456789012\","
                                        + "\"detail\":"
                                        + new String(oneLine(bytes), StandardCharsets.UTF_8)
                                        + "}");
            }
        }
        if (!mutateInside) {
            bytes = mutate(bytes, random, steps);
        }
        return new Payload(
                name
                        + " "
                        + (mutateInside
                                ? steps + " then " + wrapping
                                : wrapping + " then " + steps),
                bytes);
    }

    /** The sample on one line when it is (still) JSON, else its bytes with newlines blanked. */
    private static byte[] oneLine(byte[] bytes) {
        try {
            return Samples.utf8(Samples.MAPPER.readTree(bytes).toString());
        } catch (IOException e) {
            return blankNewlines(bytes);
        }
    }

    private static byte[] blankNewlines(byte[] bytes) {
        byte[] copy = bytes.clone();
        for (int i = 0; i < copy.length; i++) {
            if (copy[i] == '\n' || copy[i] == '\r') {
                copy[i] = ' ';
            }
        }
        return copy;
    }

    /** Applies 1-4 random byte-level mutations, describing each in {@code steps}. */
    static byte[] mutate(byte[] original, Random random, List<String> steps) {
        byte[] bytes = original;
        for (int n = 1 + random.nextInt(4); n > 0 && bytes.length > 0; n--) {
            int at = random.nextInt(bytes.length);
            switch (random.nextInt(6)) {
                case 0 -> {
                    int bit = random.nextInt(8);
                    bytes = bytes.clone();
                    bytes[at] ^= (byte) (1 << bit);
                    steps.add("flip bit " + bit + " of byte " + at);
                }
                case 1 -> {
                    bytes = Arrays.copyOf(bytes, at);
                    steps.add("truncate to " + at);
                }
                case 2 -> {
                    byte[] insert = new byte[1 + random.nextInt(16)];
                    random.nextBytes(insert);
                    bytes = splice(bytes, at, 0, insert);
                    steps.add("insert " + insert.length + " random bytes at " + at);
                }
                case 3 -> {
                    int length = Math.min(bytes.length - at, 1 + random.nextInt(64));
                    bytes = splice(bytes, at, length, new byte[0]);
                    steps.add("delete " + length + " bytes at " + at);
                }
                case 4 -> {
                    int length = Math.min(bytes.length - at, 1 + random.nextInt(64));
                    bytes = splice(bytes, at, 0, Arrays.copyOfRange(bytes, at, at + length));
                    steps.add("duplicate " + length + " bytes at " + at);
                }
                default -> {
                    String choices = "{}[]\":,\n\\ 0";
                    byte punctuation = (byte) choices.charAt(random.nextInt(choices.length()));
                    bytes = bytes.clone();
                    bytes[at] = punctuation;
                    steps.add("set byte " + at + " to '" + (char) punctuation + "'");
                }
            }
        }
        return bytes;
    }

    private static byte[] splice(byte[] bytes, int at, int remove, byte[] insert) {
        byte[] out = new byte[bytes.length - remove + insert.length];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(bytes, at + remove, out, at + insert.length, bytes.length - at - remove);
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    // ---- random JSON shaped like the inputs
    // --------------------------------------------------------------------

    /**
     * Random JSON that mostly looks like the real shapes (field names and many values are right)
     * but has any field missing, mistyped or absurd, so the mapper and the principal normaliser see
     * their edge cases.
     */
    private static final class JsonFuzz {
        private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
        private static final String[] KEYS = {
            "Records",
            "eventVersion",
            "eventSource",
            "eventName",
            "eventTime",
            "userIdentity",
            "type",
            "arn",
            "accountId",
            "detail-type",
            "detail",
            "messageType",
            "logEvents",
            "message",
            "repositoryName",
            "repository-name",
            "imageIds",
            "x"
        };
        private static final String[] TIMES = {
            "2023-07-10T12:04:10Z",
            "2019-04-15T19:23:20+02:00",
            "2019-04-15T17:23:20.123Z",
            "yesterday",
            "",
            "2023-13-45T99:99:99Z",
            "+300000000-01-01T00:00:00Z",
            "-999999999-01-01T00:00:00Z",
            "1688990650"
        };
        private static final String[] ACCOUNTS = {
            "123456789012", "111122223333", "", "not-an-account"
        };
        private static final String[] ARNS = {
            "arn:aws:sts::123456789012:assumed-role/Role/session",
            "arn:aws:sts::111122223333:assumed-role/path-less/a/b",
            "arn:aws:sts::123456789012:assumed-role/Role",
            "arn:aws:sts::123456789012:assumed-role/",
            ":assumed-role/",
            "arn:",
            "arn:aws:sts:::assumed-role/R/s",
            "arn:aws:iam::123456789012:user/alice",
            "arn:aws:iam::123456789012:root",
            "arn:aws:iam::123456789012:role/service-role/Role",
            "",
            "/",
            "arn:aws:ecr:us-east-1:123456789012:repository/"
        };
        private static final String[] IDENTITY_TYPES = {
            "AssumedRole",
            "IAMUser",
            "Root",
            "AWSService",
            "AWSAccount",
            "FederatedUser",
            "IdentityCenterUser",
            ""
        };
        private static final String[] REPOSITORIES = {
            "testrepo",
            "team/app",
            "arn:aws:ecr:us-east-2:123456789012:repository/amazon/amazon-ecs-sample",
            "arn:",
            ":repository/",
            "arn:aws:ecr:us-east-1:123456789012:repository/",
            ""
        };
        private static final String[] DETAIL_TYPES = {
            "AWS API Call via CloudTrail",
            "AWS Service Event via CloudTrail",
            "ECR Image Scan",
            "Inspector2 Scan",
            "ECR Image Action",
            "ECR Scan Resource Change",
            ""
        };

        private final Random random;

        JsonFuzz(Random random) {
            this.random = random;
        }

        Payload payload() {
            int shape = random.nextInt(4);
            JsonNode node = container();
            return switch (shape) {
                case 0 -> new Payload("compact " + node, Samples.utf8(node.toString()));
                case 1 -> new Payload("pretty " + node, Samples.utf8(node.toPrettyString()));
                case 2 -> new Payload("gzip " + node, Samples.gzip(Samples.utf8(node.toString())));
                default -> {
                    StringBuilder lines = new StringBuilder(node.toString());
                    for (int i = random.nextInt(4); i > 0; i--) {
                        lines.append(random.nextBoolean() ? "\n" : "\n\n")
                                .append(random.nextInt(6) == 0 ? anyValue(2) : container());
                    }
                    yield new Payload("json-lines " + lines, Samples.utf8(lines.toString()));
                }
            };
        }

        /** A top-level object or array of one of the input shapes (or neither). */
        JsonNode container() {
            return switch (random.nextInt(7)) {
                case 0 -> cloudTrailRecord();
                case 1 -> logFile();
                case 2 -> eventBridge();
                case 3 -> cloudWatchLogs();
                case 4 -> {
                    ArrayNode array = NODES.arrayNode();
                    for (int i = random.nextInt(4); i > 0; i--) {
                        array.add(random.nextBoolean() ? cloudTrailRecord() : eventBridge());
                    }
                    yield array;
                }
                case 5 -> NODES.arrayNode().add(anyValue(2));
                default -> anyObject(3);
            };
        }

        ObjectNode cloudTrailRecord() {
            ObjectNode r = NODES.objectNode();
            maybe(r, "eventVersion", () -> text("1.08", "1.04", ""));
            maybe(r, "eventTime", () -> text(TIMES));
            maybe(r, "eventSource", () -> text("ecr.amazonaws.com", "kms.amazonaws.com", ""));
            maybe(
                    r,
                    "eventName",
                    () ->
                            text(
                                    "BatchGetImage",
                                    "PutImage",
                                    "GetDownloadUrlForLayer",
                                    "SetRepositoryPolicy"));
            maybe(r, "awsRegion", () -> text("us-east-1", "eu-west-1", ""));
            maybe(r, "recipientAccountId", () -> text(ACCOUNTS));
            maybe(r, "eventID", () -> text("c84f5880-c2f9-4585-9757-28fa5c1065df", ""));
            maybe(r, "sourceIPAddress", () -> text("203.0.113.12", "ecr.amazonaws.com"));
            maybe(r, "errorCode", () -> text("AccessDenied", ""));
            maybe(r, "userIdentity", this::userIdentity);
            maybe(r, "requestParameters", this::requestParameters);
            return r;
        }

        private ObjectNode userIdentity() {
            ObjectNode u = NODES.objectNode();
            maybe(u, "type", () -> text(IDENTITY_TYPES));
            maybe(u, "arn", () -> text(ARNS));
            maybe(u, "accountId", () -> text(ACCOUNTS));
            maybe(u, "principalId", () -> text("AROATFQR7NSC3K2SEQDM2:session", ""));
            maybe(u, "userName", () -> text("alice", ""));
            maybe(u, "accessKeyId", () -> text("ASIATFQR7NSCWFKWOWVD", ""));
            maybe(u, "invokedBy", () -> text("ecr.amazonaws.com", "AWS Internal", ""));
            maybe(
                    u,
                    "sessionContext",
                    () -> {
                        ObjectNode issuer = NODES.objectNode();
                        maybe(issuer, "arn", () -> text(ARNS));
                        maybe(issuer, "userName", () -> text("Role", ""));
                        ObjectNode context = NODES.objectNode();
                        context.set("sessionIssuer", issuer);
                        return context;
                    });
            return u;
        }

        private ObjectNode requestParameters() {
            ObjectNode p = NODES.objectNode();
            maybe(p, "repositoryName", () -> text(REPOSITORIES));
            maybe(p, "registryId", () -> text(ACCOUNTS));
            maybe(
                    p,
                    "layerDigest",
                    () ->
                            text(
                                    "sha256:3b37166ec61459e76e33282dda08f2a9cd698ca7e3d6bc44e6a6e7580cdeff8e"));
            maybe(p, "imageTag", () -> text("latest", ""));
            maybe(
                    p,
                    "imageIds",
                    () -> {
                        ArrayNode ids = NODES.arrayNode();
                        for (int i = random.nextInt(3); i > 0; i--) {
                            ObjectNode id = ids.addObject();
                            maybe(id, "imageTag", () -> text("latest", "v1"));
                            maybe(
                                    id,
                                    "imageDigest",
                                    () ->
                                            text(
                                                    "sha256:98c8b060c21d9adbb6b8c41b916e95e6307102786973ab93a41e8b86d1fc6d3e"));
                        }
                        return ids;
                    });
            maybe(p, "policyText", () -> text("{\"Version\":\"2012-10-17\"}", "not json"));
            return p;
        }

        private ObjectNode logFile() {
            ObjectNode file = NODES.objectNode();
            ArrayNode records = file.putArray("Records");
            for (int i = random.nextInt(4); i > 0; i--) {
                records.add(random.nextInt(6) == 0 ? anyValue(1) : cloudTrailRecord());
            }
            return file;
        }

        private ObjectNode eventBridge() {
            ObjectNode e = NODES.objectNode();
            maybe(e, "id", () -> text("85fc3613-e913-7fc4-a80c-a3753e4aa9ae", ""));
            maybe(e, "detail-type", () -> text(DETAIL_TYPES));
            maybe(e, "source", () -> text("aws.ecr", "aws.inspector2", ""));
            maybe(e, "account", () -> text(ACCOUNTS));
            maybe(e, "time", () -> text(TIMES));
            maybe(e, "region", () -> text("us-east-1", ""));
            maybe(e, "detail", () -> random.nextBoolean() ? cloudTrailRecord() : scanDetail());
            return e;
        }

        private ObjectNode scanDetail() {
            ObjectNode d = NODES.objectNode();
            maybe(d, "scan-status", () -> text("COMPLETE", "INITIAL_SCAN_COMPLETE", ""));
            maybe(d, "repository-name", () -> text(REPOSITORIES));
            maybe(
                    d,
                    "image-digest",
                    () ->
                            text(
                                    "sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234"));
            maybe(d, "image-tags", () -> NODES.arrayNode().add("latest").add(random.nextInt()));
            maybe(d, "image-tag", () -> text("latest"));
            maybe(d, "result", () -> text("SUCCESS", "FAILURE"));
            maybe(
                    d,
                    "finding-severity-counts",
                    () -> {
                        ObjectNode counts = NODES.objectNode();
                        maybe(counts, "CRITICAL", () -> NODES.numberNode(random.nextInt(100)));
                        maybe(counts, "HIGH", () -> NODES.numberNode(random.nextInt(100)));
                        return counts;
                    });
            return d;
        }

        private ObjectNode cloudWatchLogs() {
            ObjectNode m = NODES.objectNode();
            maybe(m, "messageType", () -> text("DATA_MESSAGE", "CONTROL_MESSAGE", "OTHER"));
            maybe(m, "logGroup", () -> text("aws-cloudtrail-logs-123456789012", ""));
            maybe(
                    m,
                    "logEvents",
                    () -> {
                        ArrayNode events = NODES.arrayNode();
                        for (int i = random.nextInt(4); i > 0; i--) {
                            ObjectNode event =
                                    events.addObject()
                                            .put("id", "1")
                                            .put("timestamp", 1688990525000L);
                            maybe(
                                    event,
                                    "message",
                                    () -> {
                                        String record = cloudTrailRecord().toString();
                                        return switch (random.nextInt(4)) {
                                            case 0 ->
                                                    text(
                                                            record.substring(
                                                                    0,
                                                                    random.nextInt(
                                                                            record.length())));
                                            case 1 -> anyValue(1);
                                            default -> text(record);
                                        };
                                    });
                        }
                        return events;
                    });
            return m;
        }

        /**
         * Sets {@code key} to a plausible value, usually; sometimes leaves it out or puts anything
         * there.
         */
        private void maybe(ObjectNode node, String key, Supplier<JsonNode> plausible) {
            int dice = random.nextInt(10);
            if (dice == 0) {
                return;
            }
            node.set(key, dice == 1 ? anyValue(1) : plausible.get());
        }

        private JsonNode text(String... choices) {
            return NODES.textNode(choices[random.nextInt(choices.length)]);
        }

        JsonNode anyValue(int depth) {
            return switch (random.nextInt(depth > 0 ? 8 : 6)) {
                case 0 -> NODES.nullNode();
                case 1 -> NODES.booleanNode(random.nextBoolean());
                case 2 -> NODES.numberNode(random.nextInt());
                case 3 -> NODES.numberNode(random.nextDouble() * 1e300);
                case 4 ->
                        NODES.textNode(
                                random.nextBoolean() ? "" : KEYS[random.nextInt(KEYS.length)]);
                case 5 -> text(TIMES);
                case 6 -> {
                    ArrayNode array = NODES.arrayNode();
                    for (int i = random.nextInt(3); i > 0; i--) {
                        array.add(anyValue(depth - 1));
                    }
                    yield array;
                }
                default -> anyObject(depth - 1);
            };
        }

        private ObjectNode anyObject(int depth) {
            ObjectNode object = NODES.objectNode();
            for (int i = random.nextInt(4); i > 0; i--) {
                object.set(KEYS[random.nextInt(KEYS.length)], anyValue(depth));
            }
            return object;
        }
    }
}
