package io.layerwatch.sinks.sns;

import static io.layerwatch.sinks.sns.SnsFixtures.DOCKER;
import static io.layerwatch.sinks.sns.SnsFixtures.EXAMPLE;
import static io.layerwatch.sinks.sns.SnsFixtures.REPORTS;
import static io.layerwatch.sinks.sns.SnsFixtures.TOPIC;
import static io.layerwatch.sinks.sns.SnsFixtures.example;
import static io.layerwatch.sinks.sns.SnsFixtures.finding;
import static io.layerwatch.sinks.sns.SnsFixtures.pull;
import static io.layerwatch.sinks.sns.SnsFixtures.untrusted;
import static io.layerwatch.testing.CloudTrailRecords.ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.Severity;
import io.layerwatch.finding.Finding;
import io.layerwatch.sinks.securityhub.AsffMapper;
import io.layerwatch.sinks.sns.SnsTarget.MessageFormat;
import io.layerwatch.sinks.sns.SnsTarget.Settings;
import io.layerwatch.util.Json;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What SNS subscribers receive, built without a client: subject, email text, trimming. */
class SnsMessageTest {

    static SnsMessage message() {
        return new SnsMessage(new Settings(TOPIC, null, MessageFormat.TEXT_AND_JSON, REPORTS));
    }

    @Test
    void emailExampleIsTheDocumentedOne() throws Exception {
        Finding f = example();
        SnsMessage message = message();
        String text = message.emailText(f, List.of());
        assertThat(text.split("\n"))
                .contains(
                        "LayerWatch finding (HIGH): ECR GetDownloadUrlForLayer on payments-api from an untrusted origin",
                        "  Principal:      arn:aws:iam::111122223333:role/developer",
                        "  Type:           AssumedRole",
                        "  Session:        alice",
                        "  Account:        111122223333",
                        "  Rule:           untrusted-network",
                        "  ATT&CK:         T1078.004 Valid Accounts: Cloud Accounts (Initial Access); "
                                + "T1530 Data from Cloud Storage (Collection)",
                        "  Repository:     payments-api (registry 111122223333)",
                        "  Layer/image:    layer sha256:2840cf324a4e53fea5adc597d94b38d72840cf324a4e53fea5adc597d94b38d7",
                        "  Source IP:      198.51.100.7",
                        "  User agent:     " + DOCKER,
                        "  First event:    2026-03-02T09:14:05Z",
                        "  Events:         1",
                        "  Finding id:     " + f.id(),
                        "  Full finding:   " + REPORTS + "/" + f.id(),
                        "    6f1c2a9e-4b7d-4c1e-9a53-0d2b8e7f6a41");
        assertThat(text)
                .contains(
                        "WHAT TO DO\n  "
                                + RuleCatalog.recommendation(RuleCatalog.UNTRUSTED_NETWORK));
        // the subject and body as an email subscriber gets them; regenerate with
        // -Dlayerwatch.writeExamples=true
        String email = "Subject: " + SnsMessage.subject(f) + "\n\n" + text;
        Path source = Path.of("src/test/resources", EXAMPLE);
        if (Boolean.getBoolean("layerwatch.writeExamples")) {
            Files.createDirectories(source.getParent());
            Files.writeString(source, email);
        }
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(EXAMPLE)) {
            assertThat(in).as(EXAMPLE + " on the test classpath").isNotNull();
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(email);
        }
    }

    @Test
    void subjectNamesWhoAndWhere() {
        Finding plain = example();
        assertThat(SnsMessage.subject(plain))
                .isEqualTo("[HIGH] untrusted-network: developer on payments-api");

        Finding noRepository =
                finding(
                                RuleCatalog.REPLICATION_TO_FOREIGN_ACCOUNT,
                                record("PutReplicationConfiguration").iamUser(ACCOUNT, "ops-admin"))
                        .build();
        assertThat(SnsMessage.subject(noRepository))
                .isEqualTo(
                        "[HIGH] replication-to-foreign-account: ops-admin in account " + ACCOUNT);
    }

    @Test
    void subjectStaysShortPrintableAscii() {
        String longRole = "build-" + "x".repeat(60) + "\u00e9\u202e\n";
        Finding long1 =
                finding(
                                RuleCatalog.REPOSITORY_EXPOSED,
                                record("SetRepositoryPolicy")
                                        .assumedRole(ACCOUNT, longRole, "s")
                                        .repositoryName("team/" + "y".repeat(200)))
                        .severity(Severity.CRITICAL)
                        .build();
        String subject = SnsMessage.subject(long1);
        assertThat(subject.length()).isLessThanOrEqualTo(100);
        assertThat(subject)
                .startsWith("[CRITICAL] repository-exposed: build-xxx")
                .contains("... on team/yyy")
                .endsWith("...")
                .matches("[\\x20-\\x7e]+");
    }

    @Test
    void trimmingGoesEvidenceDetailsDescriptionThenCompacts() {
        SnsMessage message = new SnsMessage(Settings.defaults(TOPIC));
        String big = "d".repeat(120_000);
        Finding hugeDetails =
                finding(RuleCatalog.LAYER_DOWNLOAD_BURST, pull("a"))
                        .detail("layerDigests", List.of(big))
                        .build();
        Finding hugeDescription =
                finding(RuleCatalog.LAYER_DOWNLOAD_BURST, pull("a")).description(big).build();
        Finding hugeAgent = untrusted(pull("a").userAgent(big));

        assertThat(trimSteps(message, hugeDetails))
                .containsExactly("evidence records dropped", "details dropped");
        assertThat(trimSteps(message, hugeDescription))
                .containsExactly(
                        "evidence records dropped", "details dropped", "description shortened");
        assertThat(trimSteps(message, hugeAgent))
                .containsExactly(
                        "evidence records dropped",
                        "details dropped",
                        "description shortened",
                        "long fields shortened");
        for (Finding f : List.of(hugeDetails, hugeDescription, hugeAgent)) {
            String payload = message.encode(f);
            assertThat((long) payload.getBytes(StandardCharsets.UTF_8).length)
                    .isLessThanOrEqualTo(SnsTarget.MAX_ENTRY_BYTES);
            String text =
                    Json.tree(SnsMessage.Entry.parse(payload).message()).path("default").asText();
            assertThat(text).contains("The full finding is " + f.id() + " in the findings output.");
        }
    }

    static List<String> trimSteps(SnsMessage message, Finding f) {
        JsonNode sqs =
                Json.tree(
                        Json.tree(SnsMessage.Entry.parse(message.encode(f)).message())
                                .path("sqs")
                                .asText());
        List<String> steps = new ArrayList<>();
        sqs.path("trimmed").path("steps").forEach(s -> steps.add(s.asText()));
        return steps;
    }

    @Test
    void attackerControlledTextIsPrintedAsData() {
        String agent = "curl/8.0\u001b[2J\r\nSeverity:       LOW\u202e\u0000";
        Finding f = untrusted(pull("x").userAgent(agent));
        String text = new SnsMessage(Settings.defaults(TOPIC)).emailText(f, List.of());

        assertThat(text.chars().filter(c -> c < 0x20 && c != '\n')).isEmpty();
        assertThat(text)
                .doesNotContain("\u202e")
                .contains("curl/8.0\\u001B[2J\\u000D\\u000ASeverity:       LOW\\u202E\\u0000");
        assertThat(text.split("\n")).noneMatch(line -> line.startsWith("Severity"));
        assertThat(SnsMessage.subject(f)).matches("[\\x20-\\x7e]+");
    }

    /** People read one recommendation per rule, by email and in Security Hub alike. */
    @Test
    void emailRecommendsWhatSecurityHubRecommends() {
        AsffMapper asff = new AsffMapper(null, null, null);
        for (String id : RuleCatalog.ids()) {
            Finding f = finding(id, pull("e-" + id)).build();
            String text = message().emailText(f, List.of());
            String whatToDo =
                    text.substring(text.indexOf("WHAT TO DO\n  ") + 13)
                            .lines()
                            .findFirst()
                            .orElseThrow();
            assertThat(whatToDo)
                    .as(id)
                    .isNotBlank()
                    .isEqualTo(
                            asff.toAsff(f)
                                    .path("Remediation")
                                    .path("Recommendation")
                                    .path("Text")
                                    .asText());
        }
    }
}
