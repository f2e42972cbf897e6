package io.layerwatch.sinks.delivery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.extension.ResponseTransformerV2;
import com.github.tomakehurst.wiremock.http.Response;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.layerwatch.testing.FakeAws;
import io.layerwatch.util.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * File, SQS and S3 dead letters; the SQS and S3 ones through the real SDK clients against WireMock.
 */
class DeadLetterDestinationsIT {

    /** SQS answers with the MD5 of the message body, which the SDK verifies. */
    static final class SqsMd5 implements ResponseTransformerV2 {
        @Override
        public Response transform(Response response, ServeEvent event) {
            try {
                String body =
                        Json.tree(event.getRequest().getBodyAsString())
                                .path("MessageBody")
                                .asText();
                String md5 =
                        HexFormat.of()
                                .formatHex(
                                        MessageDigest.getInstance("MD5")
                                                .digest(body.getBytes(StandardCharsets.UTF_8)));
                return Response.Builder.like(response)
                        .but()
                        .body("{\"MessageId\":\"m-1\",\"MD5OfMessageBody\":\"" + md5 + "\"}")
                        .build();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public String getName() {
            return "sqs-md5";
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }
    }

    @RegisterExtension static final FakeAws AWS = new FakeAws(new SqsMd5());

    @TempDir Path dir;

    static SinkDeadLetter letter() {
        return new SinkDeadLetter(
                "sns",
                "f-1",
                "HTTP 400: bad",
                1,
                "2024-05-01T12:00:00Z",
                Json.tree("{\"id\":\"f-1\",\"ruleId\":\"layer-download\"}"));
    }

    @Test
    void fileAppendsOneJsonLineEach() throws Exception {
        Path file = dir.resolve("sub/dl.jsonl");
        try (DeadLetterDestination.Writer w = new FileDeadLetters(file.toString()).open()) {
            w.write(letter());
            w.write(letter());
        }
        try (DeadLetterDestination.Writer w = new FileDeadLetters(file.toString()).open()) {
            w.write(letter());
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(3);
        assertThat(Json.tree(lines.get(0)).path("finding").path("ruleId").asText())
                .isEqualTo("layer-download");
    }

    @Test
    void sqsSendsTheDeadLetterAsTheMessageBody() throws Exception {
        AWS.server()
                .stubFor(
                        post("/")
                                .withHeader("X-Amz-Target", equalTo("AmazonSQS.SendMessage"))
                                .willReturn(
                                        aResponse()
                                                .withStatus(200)
                                                .withHeader(
                                                        "Content-Type",
                                                        "application/x-amz-json-1.0")
                                                .withTransformers("sqs-md5")));
        String queue = AWS.endpoint() + "/111122223333/layerwatch-dlq";
        try (DeadLetterDestination.Writer w = new SqsDeadLetters(queue, AWS.settings()).open()) {
            w.write(letter());
        }
        JsonNode request =
                Json.tree(AWS.server().getAllServeEvents().get(0).getRequest().getBodyAsString());
        assertThat(request.path("QueueUrl").asText()).isEqualTo(queue);
        JsonNode body = Json.tree(request.path("MessageBody").asText());
        assertThat(body.path("sink").asText()).isEqualTo("sns");
        assertThat(body.path("findingId").asText()).isEqualTo("f-1");
        assertThat(body.path("attempts").asInt()).isEqualTo(1);
    }

    @Test
    void s3PutsOneObjectPerDeadLetterUnderThePrefix() throws Exception {
        AWS.server()
                .stubFor(
                        put(urlPathMatching("/dl-bucket/.*"))
                                .willReturn(
                                        aResponse().withStatus(200).withHeader("ETag", "\"abc\"")));
        try (DeadLetterDestination.Writer w =
                new S3DeadLetters("dl-bucket", "layerwatch/", AWS.settings()).open()) {
            w.write(letter());
        }
        var request = AWS.server().getAllServeEvents().get(0).getRequest();
        assertThat(request.getUrl())
                .matches("/dl-bucket/layerwatch/sns/\\d{4}/\\d{2}/\\d{2}/f-1-[0-9a-f-]{36}\\.json");
        assertThat(request.getBodyAsString()).contains("\"findingId\":\"f-1\"");
    }

    @Test
    void aFailingDestinationThrowsSoTheJobRestartsInsteadOfLosingIt() throws Exception {
        AWS.server()
                .stubFor(
                        put(urlPathMatching("/dl-bucket/.*"))
                                .willReturn(
                                        aResponse()
                                                .withStatus(403)
                                                .withBody(
                                                        "<Error><Code>AccessDenied</Code><Message>denied</Message></Error>")));
        try (DeadLetterDestination.Writer w =
                new S3DeadLetters("dl-bucket", null, AWS.settings()).open()) {
            assertThatThrownBy(() -> w.write(letter())).hasMessageContaining("denied");
        }
    }
}
