package io.layerwatch.event.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.event.CloudTrailFields;
import io.layerwatch.event.decode.PayloadDecoderTest.Samples;
import io.layerwatch.testing.CollectingOutput;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The streamed decoding of log-file records ({@link CloudTrailFields#read}, pruned userIdentity and
 * requestParameters) gives the same events as the tree decoder, for records whose members the
 * mapping reads come in every shape: strings, numbers, null, booleans, objects, arrays, repeated,
 * nested in the places the mapping walks into and elsewhere.
 */
class StreamedRecordPropertyTest {

    private static final String[] IDENTITY = {
        "type",
        "arn",
        "accountId",
        "accessKeyId",
        "invokedBy",
        "principalId",
        "userName",
        "sessionContext",
        "sessionIssuer",
        "attributes",
        "other"
    };
    private static final String[] TYPES = {
        "AssumedRole", "IAMUser", "Root", "AWSService", "AWSAccount", "FederatedUser", ""
    };
    private static final String[] PARAMS = {
        "repositoryName",
        "registryId",
        "layerDigest",
        "imageDigest",
        "imageTag",
        "imageIds",
        "policyText",
        "other"
    };
    private static final String[] TEXTS = {
        "arn:aws:iam::123456789012:role/ci",
        "arn:aws:sts::123456789012:assumed-role/ci/s",
        "123456789012",
        "AKIAEXAMPLE",
        "app",
        "sha256:abc",
        "caf\u00e9",
        "\\u00e9t\\u00e9",
        "q\\\"uote",
        "",
        "ecr.amazonaws.com"
    };

    @Property(tries = 1500)
    void streamedAndTreeDecodingAgree(@ForAll("logFiles") String file) {
        CollectingOutput out = CollectingOutput.assertStreamAgrees(Samples.utf8(file));
        assertThat(out.events().size() + out.deadLetters().size()).isPositive();
    }

    /**
     * ASCII texts without backslash-u escapes only: files that {@link RecordReader} reads from the
     * bytes (a third of them; it declines the others for a record without eventID, a repeated or
     * odd-typed field), so its reading of repeats, numbers, literals and nested objects is held to
     * the token reader's.
     */
    @Test
    void theByteReaderAgreesOnManyAsciiFiles() {
        Random random = new Random(11);
        RecordReader reader = new RecordReader(Samples.MAPPER);
        int read = 0;
        for (int i = 0; i < 3_000; i++) {
            byte[] file = Samples.utf8(logFile(random, ASCII_TEXTS));
            CollectingOutput.assertStreamAgrees(file);
            read += reader.logFile(file, 0, file.length, (f, b, s, e, spaced) -> f) == null ? 0 : 1;
        }
        assertThat(read).isGreaterThan(600);
    }

    private static final String[] ASCII_TEXTS =
            Arrays.stream(TEXTS)
                    .filter(t -> t.chars().allMatch(c -> c < 0x80) && !t.contains("\\u"))
                    .toArray(String[]::new);

    @Provide
    Arbitrary<String> logFiles() {
        return Arbitraries.randomValue(random -> logFile(random, TEXTS));
    }

    private static String logFile(Random random, String[] texts) {
        List<String> records = new ArrayList<>();
        for (int i = 1 + random.nextInt(4); i > 0; i--) {
            records.add(record(random, i, texts));
        }
        return "{\"Records\":[" + String.join(random.nextBoolean() ? "," : ",\n  ", records) + "]}";
    }

    private static String record(Random r, int n, String[] t) {
        List<String> members = new ArrayList<>();
        members.add("\"eventTime\":\"2024-05-01T12:00:0" + n + "Z\"");
        members.add("\"eventSource\":\"ecr.amazonaws.com\"");
        members.add("\"eventName\":\"GetDownloadUrlForLayer\"");
        if (r.nextInt(8) > 0) {
            members.add("\"eventID\":\"id-" + r.nextInt(1000) + "\"");
        }
        members.add(
                "\"userIdentity\":"
                        + (r.nextInt(12) == 0 ? value(r, 0, t) : object(r, IDENTITY, 0, t)));
        members.add(
                "\"requestParameters\":"
                        + (r.nextInt(8) == 0 ? value(r, 0, t) : object(r, PARAMS, 0, t)));
        if (r.nextInt(6) == 0) {
            members.add(
                    r.nextInt(members.size()),
                    "\"userIdentity\":" + object(r, IDENTITY, 0, t)); // repeated
        }
        Collections.shuffle(members, r);
        return "{" + String.join(r.nextBoolean() ? "," : ", ", members) + "}";
    }

    private static String object(Random r, String[] names, int depth, String[] t) {
        List<String> members = new ArrayList<>();
        for (int i = r.nextInt(7); i > 0; i--) {
            String name = names[r.nextInt(names.length)];
            String v =
                    name.equals("type") && r.nextBoolean()
                            ? "\"" + TYPES[r.nextInt(TYPES.length)] + "\""
                            : name.equals("imageIds") && r.nextBoolean()
                                    ? "["
                                            + object(r, PARAMS, depth + 1, t)
                                            + ","
                                            + value(r, depth + 1, t)
                                            + "]"
                                    : value(r, depth + 1, t);
            members.add("\"" + name + "\":" + v);
        }
        return "{" + String.join(",", members) + "}";
    }

    private static String value(Random r, int depth, String[] t) {
        int kind = r.nextInt(depth > 2 ? 5 : 8);
        return switch (kind) {
            case 0, 1 -> "\"" + t[r.nextInt(t.length)] + "\"";
            case 2 -> r.nextBoolean() ? "42" : "1.50";
            case 3 -> r.nextBoolean() ? "null" : "true";
            case 4 -> "\"x\"";
            case 5 -> object(r, IDENTITY, depth, t);
            case 6 -> object(r, PARAMS, depth, t);
            default -> "[" + value(r, depth + 1, t) + "," + object(r, IDENTITY, depth + 1, t) + "]";
        };
    }
}
