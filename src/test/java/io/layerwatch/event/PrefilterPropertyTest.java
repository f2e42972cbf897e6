package io.layerwatch.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.event.decode.PayloadDecoderTest.Samples;
import io.layerwatch.testing.CollectingOutput;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The prefilter never drops a record whose full decode is an event the rules use, and skips every
 * record it can vouch for. Records are written as raw JSON text (not through Jackson) with random
 * field order, whitespace, escapes, Unicode, missing, duplicated and mistyped fields, ECR among
 * them.
 */
class PrefilterPropertyTest {

    /** A generated record: its JSON text and whether the prefilter must skip it. */
    record Generated(String json, boolean skippable) {}

    /** Generated records rendered as one payload, and how many of them the prefilter must skip. */
    record Case(String shape, byte[] bytes, int skippable) {
        @Override
        public String toString() {
            return shape + ": " + new String(bytes, StandardCharsets.UTF_8);
        }
    }

    @Property(tries = 1000)
    void logFiles(@ForAll("logFiles") Case c) {
        check(c);
    }

    @Property(tries = 500)
    void jsonLines(@ForAll("jsonLines") Case c) {
        check(c);
    }

    @Property(tries = 300)
    void cloudWatchLogs(@ForAll("cloudWatchLogs") Case c) {
        check(c);
    }

    /** Broken payloads: whatever the prefilter does, it agrees with the full decoder. */
    @Property(tries = 1000)
    void corruptedLogFiles(@ForAll("logFiles") Case c, @ForAll Random random) {
        List<String> steps = new ArrayList<>();
        byte[] corrupted = DecoderPropertyTest.mutate(c.bytes(), random, steps);
        CollectingOutput.assertPrefilterAgrees(corrupted);
        CollectingOutput.assertStreamAgrees(corrupted);
    }

    private static void check(Case c) {
        CollectingOutput.assertStreamAgrees(c.bytes());
        CollectingOutput out = CollectingOutput.assertPrefilterAgrees(c.bytes());
        assertThat(out.prefilteredCount())
                .as("records the prefilter skipped")
                .isEqualTo(c.skippable());
    }

    @Provide
    Arbitrary<Case> logFiles() {
        return Arbitraries.randomValue(
                random -> {
                    Gen gen = new Gen(random);
                    List<Generated> records = gen.records(false);
                    List<String> members = new ArrayList<>();
                    members.add(
                            gen.key("Records")
                                    + gen.ws()
                                    + ":"
                                    + gen.ws()
                                    + "["
                                    + gen.ws()
                                    + String.join(
                                            gen.ws() + "," + gen.ws(),
                                            records.stream().map(Generated::json).toList())
                                    + gen.ws()
                                    + "]");
                    if (random.nextBoolean()) {
                        members.add(
                                random.nextInt(2), "\"owner\":" + gen.ws() + "\"123456789012\"");
                    }
                    String doc =
                            gen.ws()
                                    + "{"
                                    + gen.ws()
                                    + String.join("," + gen.ws(), members)
                                    + gen.ws()
                                    + "}"
                                    + gen.ws();
                    int skippable = (int) records.stream().filter(Generated::skippable).count();
                    return new Case("log file", Samples.utf8(doc), skippable);
                });
    }

    @Provide
    Arbitrary<Case> jsonLines() {
        return Arbitraries.randomValue(
                random -> {
                    Gen gen = new Gen(random);
                    List<Generated> records = gen.records(true);
                    StringBuilder lines = new StringBuilder();
                    for (Generated r : records) {
                        lines.append(r.json())
                                .append(
                                        random.nextBoolean()
                                                ? "\n"
                                                : random.nextBoolean() ? "\r\n" : "\n\n");
                    }
                    byte[] bytes = Samples.utf8(lines.toString());
                    return new Case(
                            "json lines",
                            random.nextBoolean() ? bytes : Samples.gzip(bytes),
                            (int) records.stream().filter(Generated::skippable).count());
                });
    }

    @Provide
    Arbitrary<Case> cloudWatchLogs() {
        return Arbitraries.randomValue(
                random -> {
                    List<Generated> records = new Gen(random).records(true);
                    byte[] payload =
                            Samples.cloudWatchLogs(
                                    "DATA_MESSAGE",
                                    records.stream().map(Generated::json).toArray(String[]::new));
                    return new Case(
                            "cloudwatch logs",
                            payload,
                            (int) records.stream().filter(Generated::skippable).count());
                });
    }

    /** Raw JSON text shaped like CloudTrail records. */
    static final class Gen {
        private static final String ECR = EcrEvent.ECR_SOURCE;
        private static final String[] SOURCES = {
            ECR,
            ECR,
            ECR,
            "s3.amazonaws.com",
            "sts.amazonaws.com",
            "ec2.amazonaws.com",
            "iam.amazonaws.com",
            "kms.amazonaws.com",
            "ECR.amazonaws.com",
            "ecr.amazonaws.com ",
            "ecr-public.amazonaws.com",
            ""
        };
        private static final String[] NAMES = {
            "GetDownloadUrlForLayer",
            "BatchGetImage",
            "GetObject",
            "AssumeRole",
            "DescribeInstances",
            "Get\"Quoted",
            ""
        };
        private static final String[] ROUTING = {
            "Records", "messageType", "logEvents", "detail-type", "detail"
        };
        private static final String[] TEXTS = {
            "aws-cli/2.15.30 Python/3.11.8",
            "}{][,:\"\\",
            "ecr.amazonaws.com",
            "{\"eventSource\":\"ecr.amazonaws.com\"}",
            "tab\tnew\nline",
            "M\u00fcnchen",
            "\uD83D\uDE80 rocket",
            "caf\u00e9",
            "",
            "\u0001ctl",
            "/slash/",
            "arn:aws:iam::123456789012:role/x"
        };

        private final Random random;
        private boolean dirty; // non-ASCII or a backslash-u escape in the record being written

        Gen(Random random) {
            this.random = random;
        }

        List<Generated> records(boolean standalone) {
            List<Generated> records = new ArrayList<>();
            for (int i = 1 + random.nextInt(8); i > 0; i--) {
                records.add(record(standalone));
            }
            return records;
        }

        Generated record(boolean standalone) {
            dirty = false;
            List<String> members = new ArrayList<>();
            String source = pick(SOURCES);
            boolean sourceEscaped = random.nextInt(10) == 0;
            boolean skippable = true;
            // The three fields the decision rests on: usually once and plain, sometimes not.
            int sourceCount = count();
            for (int i = 0; i < sourceCount; i++) {
                members.add(
                        member("eventSource", sourceEscaped ? escaped(source) : string(source)));
            }
            String name = pick(NAMES);
            int nameCount = count();
            for (int i = 0; i < nameCount; i++) {
                members.add(member("eventName", string(name)));
            }
            String time = time();
            boolean timeEscaped = random.nextInt(15) == 0;
            int timeCount = count();
            for (int i = 0; i < timeCount; i++) {
                members.add(member("eventTime", timeEscaped ? escaped(time) : string(time)));
            }
            skippable &= sourceCount == 1 && nameCount == 1 && timeCount == 1;
            skippable &=
                    !sourceEscaped && !source.isEmpty() && !source.equals(ECR) && !name.isEmpty();
            skippable &= !timeEscaped && parses(time);
            int mistyped = random.nextInt(25);
            if (mistyped < 3) {
                String field = new String[] {"eventSource", "eventName", "eventTime"}[mistyped];
                members.add(member(field, pick(new String[] {"null", "5", "{}", "[]", "true"})));
                skippable = false; // a second, non-string value of a decisive field
            }
            if (random.nextInt(20) == 0) {
                members.add(
                        "\"event\\u0053ource\":"
                                + ws()
                                + string(ECR)); // eventSource behind an escaped key
                dirty = true;
            } else if (random.nextInt(20) == 0) {
                members.add("\"odd\\tkey\":" + ws() + "1");
                skippable = false;
            }
            if (standalone && random.nextInt(12) == 0) {
                members.add(member(pick(ROUTING), random.nextBoolean() ? "{}" : "[]"));
                skippable = false;
            }
            members.add(member("eventVersion", string("1.08")));
            members.add(member("userIdentity", userIdentity()));
            members.add(
                    member("sourceIPAddress", string(random.nextBoolean() ? "203.0.113.10" : ECR)));
            members.add(member("userAgent", text()));
            members.add(
                    member(
                            "requestParameters",
                            random.nextInt(5) == 0 ? "null" : requestParameters()));
            members.add(member("additionalEventData", numbers()));
            members.add(member("readOnly", random.nextBoolean() ? "true" : "false"));
            members.add(
                    member(
                            "resources",
                            "["
                                    + ws()
                                    + "{\"ARN\":"
                                    + text()
                                    + "}"
                                    + ws()
                                    + ","
                                    + ws()
                                    + "[]"
                                    + ws()
                                    + "]"));
            members.add(member("recipientAccountId", string("123456789012")));
            Collections.shuffle(members, random);
            String json = "{" + ws() + String.join(ws() + "," + ws(), members) + ws() + "}";
            return new Generated(json, skippable && !dirty);
        }

        private String userIdentity() {
            return "{"
                    + ws()
                    + "\"type\":"
                    + string("AssumedRole")
                    + ","
                    + ws()
                    + "\"arn\":"
                    + text()
                    + ","
                    + "\"sessionContext\":{\"sessionIssuer\":{"
                    + ws()
                    + "\"userName\":"
                    + text()
                    + "},"
                    + ws()
                    + "\"attributes\":{\"mfaAuthenticated\":\"false\"}}"
                    + ws()
                    + "}";
        }

        private String requestParameters() {
            return "{\"repositoryName\":"
                    + text()
                    + ","
                    + ws()
                    + "\"imageIds\":["
                    + ws()
                    + "{\"imageTag\":"
                    + text()
                    + "}"
                    + ws()
                    + "],"
                    + ws()
                    + "\"layerDigest\":"
                    + string("sha256:abc")
                    + "}";
        }

        private String numbers() {
            String[] numbers = {
                "0", "-0", "0.0", "1.5e3", "-2E-7", "1E+2", "123456789012345678901234", "42", "-1"
            };
            return "{\"bytesTransferredIn\":"
                    + pick(numbers)
                    + ","
                    + ws()
                    + "\"x\":["
                    + pick(numbers)
                    + ","
                    + ws()
                    + pick(numbers)
                    + "]}";
        }

        private String time() {
            return switch (random.nextInt(12)) {
                case 0 -> "2023-02-29T10:00:00Z"; // not a date
                case 1 -> "2024-02-29T10:00:00Z";
                case 2 -> "2024-05-01T12:00:00.123Z";
                case 3 -> "2024-05-01T14:00:00+02:00";
                case 4 -> "2024-05-01T25:00:00Z";
                case 5 -> "yesterday";
                case 6 -> "";
                default ->
                        Instant.ofEpochSecond(1_500_000_000L + random.nextInt(300_000_000))
                                .toString();
            };
        }

        private static boolean parses(String time) {
            try {
                Instant.parse(time);
                return true;
            } catch (RuntimeException e) {
                try {
                    OffsetDateTime.parse(time);
                    return true;
                } catch (RuntimeException e2) {
                    return false;
                }
            }
        }

        /** How often a decisive field occurs: usually once. */
        private int count() {
            int dice = random.nextInt(30);
            return dice == 0 ? 0 : dice == 1 ? 2 : 1;
        }

        private String member(String key, String value) {
            return key(key) + ws() + ":" + ws() + value;
        }

        String key(String key) {
            return "\"" + key + "\"";
        }

        /** A text value, escaped in one of the ways JSON allows. */
        private String text() {
            String text = pick(TEXTS);
            return random.nextInt(6) == 0 ? escaped(text) : string(text);
        }

        /** A JSON string with the required escapes only (raw Unicode stays raw). */
        private String string(String s) {
            StringBuilder out = new StringBuilder("\"");
            for (char c : s.toCharArray()) {
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append(random.nextBoolean() ? "\\\\" : "\\u005c");
                    case '\n' -> out.append("\\n");
                    case '\t' -> out.append("\\t");
                    case '/' -> out.append(random.nextBoolean() ? "/" : "\\/");
                    default -> {
                        if (c < 0x20) {
                            out.append(String.format("\\u%04x", (int) c));
                            dirty = true;
                        } else {
                            out.append(c);
                            dirty |= c >= 0x80;
                        }
                    }
                }
            }
            dirty |= out.indexOf("\\u") >= 0;
            return out.append('"').toString();
        }

        /** A JSON string with one character (if any) written as a backslash-u escape. */
        private String escaped(String s) {
            if (s.isEmpty()) {
                return string(s);
            }
            int at = random.nextInt(s.length());
            String head = string(s.substring(0, at));
            String tail = string(s.substring(at + 1));
            dirty = true;
            return head.substring(0, head.length() - 1)
                    + String.format("\\u%04X", (int) s.charAt(at))
                    + tail.substring(1);
        }

        String ws() {
            return switch (random.nextInt(8)) {
                case 0 -> " ";
                case 1 -> "\n  ";
                case 2 -> "\t";
                case 3 -> "\r\n";
                default -> "";
            };
        }

        private String pick(String[] choices) {
            return choices[random.nextInt(choices.length)];
        }
    }

    /**
     * Keeps the generator's own bookkeeping honest: a skippable record really is a non-ECR event.
     */
    @Property(tries = 300)
    void generatedSkippableRecordsDecodeToUnanalysedEvents(@ForAll Random random) {
        Generated r = new Gen(random).record(true);
        if (r.skippable()) {
            EcrEvent e = CollectingOutput.decode(Samples.utf8(r.json())).onlyEvent();
            assertThat(e.analysed()).isFalse();
        }
    }
}
