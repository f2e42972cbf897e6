package io.layerwatch.util;

import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import io.layerwatch.replay.Replay;
import io.layerwatch.report.BacktestReport;
import io.layerwatch.sinks.securityhub.AsffMapper;
import io.layerwatch.sinks.sns.SnsTarget;
import io.layerwatch.sinks.webhook.WebhookTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attack: a repository name and user agent with a right-to-left override, a zero-width space,
 * an ANSI colour escape and a CR/LF (a fake second line). None of those characters may reach a
 * reader raw: report, Security Hub, Slack, PagerDuty, generic webhook, SNS attributes and email.
 */
class HostileTextTest {
    static final String HOSTILE = "pay\u202Ements\u200B\u001B[31m\r\nFAKE\u2066\uFEFF";
    static final String VISIBLE =
            "pay\\u202Ements\\u200B\\u001B[31m\\u000D\\u000AFAKE\\u2066\\uFEFF";
    static final List<Character> FORBIDDEN =
            List.of('\u202E', '\u200B', '\u001B', '\r', '\n', '\u2066', '\uFEFF');

    static Finding hostile() {
        return FindingBuilder.of(RulesConfigLoader.builtIn().rule("untrusted-network"))
                .event(
                        record("BatchGetImage")
                                .repositoryName(HOSTILE)
                                .userAgent(HOSTILE)
                                .sourceIp("198.51.100.7")
                                .eventId("evt-" + HOSTILE)
                                .event())
                .title("ECR BatchGetImage on " + HOSTILE)
                .description("pulled " + HOSTILE)
                .detail("userAgent", HOSTILE)
                .build();
    }

    /** Every string and field name of a JSON document. */
    static List<String> texts(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isTextual()) {
            out.add(node.textValue());
        }
        node.fields()
                .forEachRemaining(
                        e -> {
                            out.add(e.getKey());
                            out.addAll(texts(e.getValue()));
                        });
        if (node.isArray()) {
            node.forEach(e -> out.addAll(texts(e)));
        }
        return out;
    }

    /**
     * Our own line breaks (Slack mrkdwn) are fine; none from the data: no line starts with FAKE.
     */
    static void assertNeutral(List<String> texts) {
        assertThat(texts)
                .allSatisfy(
                        t ->
                                assertThat(t)
                                        .doesNotContain(
                                                FORBIDDEN.stream()
                                                        .filter(c -> c != '\n')
                                                        .map(String::valueOf)
                                                        .toArray(String[]::new)));
        assertThat(texts)
                .allSatisfy(t -> assertThat(t.lines()).noneMatch(l -> l.startsWith("FAKE")));
        assertThat(String.join(" ", texts)).contains(VISIBLE);
    }

    @Test
    void escapeMakesEveryUnsafeCharacterVisible() {
        assertThat(SafeText.escape(HOSTILE)).isEqualTo(VISIBLE);
        assertThat(SafeText.escape("caf\u00e9 \uD83D\uDE80 x\uD800"))
                .isEqualTo("caf\u00e9 \uD83D\uDE80 x\\uD800");
        assertThat(SafeText.escape("a\nb\rc", "\n")).isEqualTo("a\nb\\u000Dc");
        assertThat(SafeText.escape((String) null)).isEmpty();
    }

    @Test
    void reportShowsTheNameWithoutItsControls(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(Replay.FINDINGS), Json.write(hostile()) + "\n");
        String html =
                Files.readString(
                        BacktestReport.write(dir, RulesConfigLoader.builtIn(), null, null));
        assertThat(html)
                .doesNotContain("\u202E", "\u200B", "\u001B", "\r", "\u2066", "\uFEFF", "\nFAKE")
                .contains(VISIBLE);
    }

    @Test
    void securityHubTextIsNeutral() {
        JsonNode asff = Json.tree(new AsffMapper(null, null, null).toJson(hostile()));
        assertNeutral(texts(asff));
        assertThat(asff.path("Title").asText()).contains("\\u202E");
        assertThat(
                        asff.path("Resources")
                                .get(0)
                                .path("Details")
                                .path("AwsEcrRepository")
                                .path("RepositoryName")
                                .asText())
                .isEqualTo(VISIBLE);
    }

    @Test
    void webhookTextsAreNeutral() {
        for (WebhookTarget.Format format : WebhookTarget.Format.values()) {
            WebhookTarget target =
                    new WebhookTarget(
                            new WebhookTarget.Settings(
                                    "webhook",
                                    format,
                                    "https://x",
                                    null,
                                    "key",
                                    Map.of(),
                                    "{\"text\":\"{{title}}\",\"repo\":\"{{repository}}\",\"why\":\"{{description}}\"}",
                                    Duration.ofSeconds(5),
                                    null));
            JsonNode body = Json.tree(target.encode(hostile()));
            assertNeutral(texts(body));
        }
    }

    @Test
    void snsAttributesSubjectAndEmailAreNeutral() {
        String payload =
                new SnsTarget(SnsTarget.Settings.defaults("arn:aws:sns:us-east-1:111122223333:t"))
                        .encode(hostile());
        JsonNode header = Json.tree(payload.substring(0, payload.indexOf('\n')));
        assertThat(header.path("attributes").path("repository").asText()).isEqualTo(VISIBLE);
        assertNeutral(texts(header));
        String email =
                Json.tree(payload.substring(payload.indexOf('\n') + 1)).path("default").asText();
        assertThat(email.lines().toList())
                .allSatisfy(
                        l ->
                                assertThat(l)
                                        .doesNotContain(
                                                "\u202E", "\u200B", "\u001B", "\r", "\u2066",
                                                "\uFEFF")
                                        .doesNotStartWith("FAKE"));
    }
}
