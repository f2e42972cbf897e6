package io.layerwatch.sinks.webhook;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.client.WireMock;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import io.layerwatch.sinks.aws.AwsClientSettings;
import io.layerwatch.sinks.delivery.Delivery;
import io.layerwatch.sinks.delivery.DeliveryClient;
import io.layerwatch.sinks.delivery.EntryResult;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.testing.FakeAws;
import io.layerwatch.util.Json;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class WebhookTargetIT {

    @RegisterExtension static final FakeAws AWS = new FakeAws();

    static Finding finding() {
        return FindingBuilder.of(RulesConfigLoader.builtIn().rule("untrusted-network"))
                .event(
                        CloudTrailRecords.record("BatchGetImage")
                                .repositoryName("payments")
                                .sourceIp("198.51.100.7")
                                .eventId("evt-1")
                                .event())
                .title("ECR BatchGetImage on payments from an untrusted origin")
                .description("why \"it\" fired")
                .build();
    }

    static WebhookTarget.Settings settings(
            WebhookTarget.Format format,
            String url,
            String secretArn,
            String template,
            AwsClientSettings aws) {
        return new WebhookTarget.Settings(
                "webhook",
                format,
                url,
                secretArn,
                null,
                Map.of(),
                template,
                Duration.ofSeconds(5),
                aws);
    }

    @Test
    void slackBodyHasAHeadlineAndTheFacts() {
        Finding f = finding();
        JsonNode body =
                Json.tree(
                        new WebhookTarget(
                                        settings(
                                                WebhookTarget.Format.SLACK,
                                                "http://x",
                                                null,
                                                null,
                                                null))
                                .encode(f));
        assertThat(body.path("text").asText()).isEqualTo("[HIGH] " + f.title());
        assertThat(body.path("blocks").get(1).path("text").path("text").asText())
                .contains("*Rule:* untrusted-network")
                .contains("*Repository:* payments")
                .contains("*Source IP:* 198.51.100.7")
                .contains(
                        "*ATT&amp;CK:* T1078.004 Valid Accounts: Cloud Accounts (Initial Access), "
                                + "T1530 Data from Cloud Storage (Collection)");
        assertThat(body.path("blocks").get(3).toString()).contains(f.id());
    }

    @Test
    void slackMentionsAndLinksFromDataArriveEscaped() {
        String agent = "<!here> <@U024BE7LH> <https://evil.example|click here>";
        Finding f =
                FindingBuilder.of(RulesConfigLoader.builtIn().rule("untrusted-network"))
                        .event(
                                CloudTrailRecords.record("BatchGetImage")
                                        .repositoryName("<!channel>&co")
                                        .userAgent(agent)
                                        .eventId("evt-1")
                                        .event())
                        .title("ECR BatchGetImage on <!channel>&co by " + agent)
                        .description("user agent " + agent)
                        .build();
        JsonNode body =
                Json.tree(
                        new WebhookTarget(
                                        settings(
                                                WebhookTarget.Format.SLACK,
                                                "http://x",
                                                null,
                                                null,
                                                null))
                                .encode(f));
        assertThat(body.toString())
                .doesNotContain("<")
                .doesNotContain(">"); // every text of the payload
        assertThat(body.path("blocks").get(1).path("text").path("text").asText())
                .contains("*Repository:* &lt;!channel&gt;&amp;co");
        assertThat(body.path("text").asText())
                .contains("&lt;https://evil.example|click here&gt;")
                .contains("&lt;!here&gt; &lt;@U024BE7LH&gt;");
        assertThat(body.path("blocks").get(2).path("text").path("text").asText())
                .isEqualTo(
                        "user agent &lt;!here&gt; &lt;@U024BE7LH&gt; &lt;https://evil.example|click here&gt;");
    }

    @Test
    void slackAbbreviationNeverCutsAnEntity() {
        assertThat(WebhookTarget.slackText("abcdef<<", 10)).isEqualTo("abcdef...");
        assertThat(WebhookTarget.slackText("ab<", 10)).isEqualTo("ab&lt;");
    }

    @Test
    void pagerDutyEventsV2Trigger() {
        Finding f = finding();
        JsonNode body =
                Json.tree(
                        new WebhookTarget(
                                        new WebhookTarget.Settings(
                                                "webhook",
                                                WebhookTarget.Format.PAGERDUTY,
                                                "http://x",
                                                null,
                                                "R0UTINGKEY",
                                                Map.of(),
                                                null,
                                                Duration.ofSeconds(5),
                                                null))
                                .encode(f));
        assertThat(body.path("routing_key").asText()).isEqualTo("R0UTINGKEY");
        assertThat(body.path("event_action").asText()).isEqualTo("trigger");
        assertThat(body.path("dedup_key").asText()).isEqualTo(f.id());
        assertThat(body.path("payload").path("severity").asText()).isEqualTo("error");
        assertThat(body.path("payload").path("class").asText()).isEqualTo("untrusted-network");
        assertThat(body.path("payload").path("component").asText()).isEqualTo("payments");
        assertThat(body.path("payload").path("custom_details").path("attack").asText())
                .isEqualTo("T1078.004,T1530");
    }

    @Test
    void genericTemplateEscapesValuesAndEmbedsTheFinding() {
        Finding f = finding();
        String body =
                new WebhookTarget(
                                settings(
                                        WebhookTarget.Format.GENERIC,
                                        "http://x",
                                        null,
                                        "{\"summary\":\"{{title}}: {{description}}\",\"attack\":\"{{techniques}}\",\"finding\":{{finding}}}",
                                        null))
                        .encode(f);
        JsonNode json = Json.tree(body);
        assertThat(json).as(body).isNotNull();
        assertThat(json.path("summary").asText()).isEqualTo(f.title() + ": why \"it\" fired");
        assertThat(json.path("finding").path("id").asText()).isEqualTo(f.id());
        assertThat(json.path("attack").asText()).isEqualTo("T1078.004,T1530");
        assertThat(json.path("finding").path("attack").get(1).path("technique").asText())
                .isEqualTo("T1530");
    }

    @Test
    void urlAndRoutingKeyComeFromSecretsManager() throws Exception {
        String hook = AWS.endpoint() + "/pd/enqueue";
        AWS.server()
                .stubFor(
                        post("/")
                                .withHeader(
                                        "X-Amz-Target", equalTo("secretsmanager.GetSecretValue"))
                                .withRequestBody(
                                        equalToJson("{\"SecretId\":\"layerwatch/pagerduty\"}"))
                                .willReturn(
                                        aResponse()
                                                .withStatus(200)
                                                .withHeader(
                                                        "Content-Type",
                                                        "application/x-amz-json-1.1")
                                                .withBody(
                                                        Json.write(
                                                                Map.of(
                                                                        "ARN",
                                                                        "arn:aws:secretsmanager:us-east-1:111122223333:secret:x",
                                                                        "Name",
                                                                        "layerwatch/pagerduty",
                                                                        "SecretString",
                                                                        Json.write(
                                                                                Map.of(
                                                                                        "url",
                                                                                        hook,
                                                                                        "routingKey",
                                                                                        "FROM-SECRET",
                                                                                        "headers",
                                                                                        Map.of(
                                                                                                "X-Token",
                                                                                                "t0k"))))))));
        AWS.server().stubFor(post("/pd/enqueue").willReturn(aResponse().withStatus(202)));

        WebhookTarget target =
                new WebhookTarget(
                        new WebhookTarget.Settings(
                                "webhook",
                                WebhookTarget.Format.PAGERDUTY,
                                null,
                                "layerwatch/pagerduty",
                                null,
                                Map.of(),
                                null,
                                Duration.ofSeconds(5),
                                AWS.settings()));
        Finding f = finding();
        try (DeliveryClient client = target.connect()) {
            List<EntryResult> results =
                    client.send(List.of(Delivery.of(f.id(), target.encode(f), Json.write(f))));
            assertThat(results).containsExactly(EntryResult.DELIVERED);
        }
        AWS.server()
                .verify(
                        postRequestedFor(urlEqualTo("/pd/enqueue"))
                                .withHeader("X-Token", equalTo("t0k"))
                                .withRequestBody(
                                        WireMock.matchingJsonPath(
                                                "$.routing_key", equalTo("FROM-SECRET"))));
    }

    /**
     * A finding whose attacker-chosen texts ask for the secret: a user agent and repository
     * "{{routingKey}}".
     */
    static Finding askingForTheKey() {
        return FindingBuilder.of(RulesConfigLoader.builtIn().rule("untrusted-network"))
                .event(
                        CloudTrailRecords.record("BatchGetImage")
                                .repositoryName("{{routingKey}}")
                                .userAgent("{{routingKey}}")
                                .eventId("evt-1")
                                .event())
                .title("ECR BatchGetImage by {{routingKey}}")
                .description("user agent {{routingKey}}")
                .build();
    }

    static String sent(WebhookTarget target, Finding f, String path) throws Exception {
        try (DeliveryClient client = target.connect()) {
            assertThat(client.send(List.of(Delivery.of(f.id(), target.encode(f), Json.write(f)))))
                    .containsExactly(EntryResult.DELIVERED);
        }
        return AWS.server().findAll(postRequestedFor(urlEqualTo(path))).get(0).getBodyAsString();
    }

    @Test
    void aUserAgentNamingTheRoutingKeyNeverReceivesIt() throws Exception {
        AWS.server()
                .stubFor(
                        post("/")
                                .withHeader(
                                        "X-Amz-Target", equalTo("secretsmanager.GetSecretValue"))
                                .willReturn(
                                        aResponse()
                                                .withStatus(200)
                                                .withHeader(
                                                        "Content-Type",
                                                        "application/x-amz-json-1.1")
                                                .withBody(
                                                        Json.write(
                                                                Map.of(
                                                                        "ARN",
                                                                        "arn:aws:secretsmanager:us-east-1:111122223333:secret:x",
                                                                        "Name",
                                                                        "layerwatch/pd",
                                                                        "SecretString",
                                                                        Json.write(
                                                                                Map.of(
                                                                                        "url",
                                                                                        AWS
                                                                                                        .endpoint()
                                                                                                + "/pd/steal",
                                                                                        "routingKey",
                                                                                        "SECRET-KEY-42")))))));
        AWS.server().stubFor(post("/pd/steal").willReturn(aResponse().withStatus(202)));
        WebhookTarget target =
                new WebhookTarget(
                        new WebhookTarget.Settings(
                                "webhook",
                                WebhookTarget.Format.PAGERDUTY,
                                null,
                                "layerwatch/pd",
                                null,
                                Map.of(),
                                null,
                                Duration.ofSeconds(5),
                                AWS.settings()));

        String body = sent(target, askingForTheKey(), "/pd/steal");
        JsonNode json = Json.tree(body);
        assertThat(json.path("routing_key").asText()).isEqualTo("SECRET-KEY-42");
        assertThat(body.split("SECRET-KEY-42", -1)).as(body).hasSize(2); // in routing_key only
        assertThat(json.path("payload").path("summary").asText())
                .isEqualTo("[HIGH] ECR BatchGetImage by {{routingKey}}");
        assertThat(json.path("payload").path("component").asText()).isEqualTo("{{routingKey}}");
        assertThat(json.path("payload").path("custom_details").path("description").asText())
                .isEqualTo("user agent {{routingKey}}");
    }

    @Test
    void genericTemplateSendsARoutingKeyPlaceholderFromDataLiterally() throws Exception {
        AWS.server().stubFor(post("/generic").willReturn(aResponse().withStatus(200)));
        WebhookTarget target =
                new WebhookTarget(
                        new WebhookTarget.Settings(
                                "webhook",
                                WebhookTarget.Format.GENERIC,
                                AWS.endpoint() + "/generic",
                                null,
                                "SECRET-KEY-42",
                                Map.of(),
                                "{\"summary\":\"{{title}}\",\"repo\":\"{{repository}}\",\"finding\":{{finding}}}",
                                Duration.ofSeconds(5),
                                null));

        String body = sent(target, askingForTheKey(), "/generic");
        assertThat(body).doesNotContain("SECRET-KEY-42");
        assertThat(Json.tree(body).path("summary").asText())
                .isEqualTo("ECR BatchGetImage by {{routingKey}}");
        assertThat(Json.tree(body).path("repo").asText()).isEqualTo("{{routingKey}}");
    }

    @Test
    void errorsNeverCarryTheUrlOrSecrets() throws Exception {
        AWS.server()
                .stubFor(
                        post("/secret-path-token")
                                .willReturn(aResponse().withStatus(403).withBody("forbidden")));
        WebhookTarget target =
                new WebhookTarget(
                        settings(
                                WebhookTarget.Format.SLACK,
                                AWS.endpoint() + "/secret-path-token",
                                null,
                                null,
                                null));
        Finding f = finding();
        try (DeliveryClient client = target.connect()) {
            EntryResult r =
                    client.send(List.of(Delivery.of(f.id(), target.encode(f), Json.write(f))))
                            .get(0);
            assertThat(r.status()).isEqualTo(EntryResult.Status.REJECTED);
            assertThat(r.error())
                    .isEqualTo("HTTP 403 (9-byte body)")
                    .doesNotContain("secret-path-token");
        }
    }

    @Test
    void aServerEchoingTheBearerTokenAndUrlGetsNeitherIntoTheError() throws Exception {
        AWS.server()
                .stubFor(
                        post("/T0/echo-path-s3cret")
                                .willReturn(
                                        aResponse()
                                                .withStatus(401)
                                                .withBody(
                                                        "invalid token 'Bearer t0k-s3cret' for /T0/echo-path-s3cret")));
        WebhookTarget target =
                new WebhookTarget(
                        new WebhookTarget.Settings(
                                "webhook",
                                WebhookTarget.Format.GENERIC,
                                AWS.endpoint() + "/T0/echo-path-s3cret",
                                null,
                                null,
                                Map.of("Authorization", "Bearer t0k-s3cret"),
                                null,
                                Duration.ofSeconds(5),
                                null));
        Finding f = finding();
        try (DeliveryClient client = target.connect()) {
            EntryResult r =
                    client.send(List.of(Delivery.of(f.id(), target.encode(f), Json.write(f))))
                            .get(0);
            assertThat(r.status()).isEqualTo(EntryResult.Status.REJECTED);
            // this error is what the WARN line and the sink dead letter carry
            assertThat(r.error()).startsWith("HTTP 401 (").doesNotContain("s3cret");
        }
    }

    @Test
    void anFtpUrlOrANewlineInAHeaderFromTheSecretStopsTheSinkWithoutPrintingThem() {
        AWS.server()
                .stubFor(
                        post("/")
                                .withHeader(
                                        "X-Amz-Target", equalTo("secretsmanager.GetSecretValue"))
                                .withRequestBody(equalToJson("{\"SecretId\":\"layerwatch/ftp\"}"))
                                .willReturn(
                                        aResponse()
                                                .withStatus(200)
                                                .withHeader(
                                                        "Content-Type",
                                                        "application/x-amz-json-1.1")
                                                .withBody(
                                                        Json.write(
                                                                Map.of(
                                                                        "Name",
                                                                        "layerwatch/ftp",
                                                                        "SecretString",
                                                                        Json.write(
                                                                                Map.of(
                                                                                        "url",
                                                                                        "ftp://files.example/s3cret")))))));
        AWS.server()
                .stubFor(
                        post("/")
                                .withHeader(
                                        "X-Amz-Target", equalTo("secretsmanager.GetSecretValue"))
                                .withRequestBody(equalToJson("{\"SecretId\":\"layerwatch/crlf\"}"))
                                .willReturn(
                                        aResponse()
                                                .withStatus(200)
                                                .withHeader(
                                                        "Content-Type",
                                                        "application/x-amz-json-1.1")
                                                .withBody(
                                                        Json.write(
                                                                Map.of(
                                                                        "Name",
                                                                        "layerwatch/crlf",
                                                                        "SecretString",
                                                                        Json.write(
                                                                                Map.of(
                                                                                        "url",
                                                                                        AWS
                                                                                                        .endpoint()
                                                                                                + "/hook",
                                                                                        "headers",
                                                                                        Map.of(
                                                                                                "Authorization",
                                                                                                "Bearer s3cret\r\nX-Evil: 1"))))))));
        for (String secret : List.of("layerwatch/ftp", "layerwatch/crlf")) {
            WebhookTarget target =
                    new WebhookTarget(
                            new WebhookTarget.Settings(
                                    "webhook",
                                    WebhookTarget.Format.SLACK,
                                    null,
                                    secret,
                                    null,
                                    Map.of(),
                                    null,
                                    Duration.ofSeconds(5),
                                    AWS.settings()));
            Assertions.assertThatThrownBy(target::connect)
                    .as(secret)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(secret)
                    .hasMessageNotContaining("s3cret");
        }
    }
}
