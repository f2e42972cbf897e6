package io.layerwatch.sinks.delivery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import io.layerwatch.replay.Replay;
import io.layerwatch.sinks.aws.AwsClientSettings;
import io.layerwatch.sinks.webhook.WebhookTarget;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.testing.FakeAws;
import io.layerwatch.testing.MiniClusters;
import io.layerwatch.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared delivery layer in a real Flink job, delivering to a real HTTP server that misbehaves.
 */
class DeliverySinkIT {

    @RegisterExtension static final MiniClusterExtension CLUSTER = MiniClusters.withSlots(1);

    @RegisterExtension static final FakeAws HTTP = new FakeAws();

    @TempDir Path dir;

    static Finding finding(String layer) {
        var settings = RulesConfigLoader.builtIn().rule("layer-download");
        return FindingBuilder.of(settings)
                .event(
                        CloudTrailRecords.record("GetDownloadUrlForLayer")
                                .repositoryName("payments")
                                .param("layerDigest", layer)
                                .eventId("evt-" + layer)
                                .event())
                .title("download of " + layer)
                .description("test")
                .build();
    }

    WebhookTarget target(Duration timeout) {
        return new WebhookTarget(
                new WebhookTarget.Settings(
                        "webhook",
                        WebhookTarget.Format.GENERIC,
                        HTTP.endpoint() + "/hook",
                        null,
                        null,
                        Map.of("Authorization", "Bearer s3cret"),
                        "{\"id\":\"{{id}}\",\"layer\":\"{{title}}\"}",
                        timeout,
                        AwsClientSettings.DEFAULTS));
    }

    List<JsonNode> run(List<Finding> findings, DeliveryTarget<Finding> target, RetryPolicy retry)
            throws Exception {
        Path deadLetters = dir.resolve("sink-dead-letters.jsonl");
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(Replay.localConfiguration());
        env.setParallelism(1);
        env.fromData(findings)
                .sinkTo(
                        new DeliverySink<>(
                                target, retry, new FileDeadLetters(deadLetters.toString()), 50))
                .uid("sink")
                .name("sink");
        env.execute("delivery-test");
        List<JsonNode> out = new ArrayList<>();
        if (Files.exists(deadLetters)) {
            Files.readAllLines(deadLetters).forEach(l -> out.add(Json.tree(l)));
        }
        return out;
    }

    @Test
    void throttlingIsRetriedUntilItSucceeds() throws Exception {
        Finding f = finding("sha256:throttled");
        HTTP.server()
                .stubFor(
                        post("/hook")
                                .inScenario("t")
                                .whenScenarioStateIs(Scenario.STARTED)
                                .willReturn(aResponse().withStatus(429))
                                .willSetStateTo("again"));
        HTTP.server()
                .stubFor(
                        post("/hook")
                                .inScenario("t")
                                .whenScenarioStateIs("again")
                                .willReturn(aResponse().withStatus(503))
                                .willSetStateTo("ok"));
        HTTP.server()
                .stubFor(
                        post("/hook")
                                .inScenario("t")
                                .whenScenarioStateIs("ok")
                                .willReturn(aResponse().withStatus(200)));

        List<JsonNode> dead =
                run(
                        List.of(f),
                        target(Duration.ofSeconds(5)),
                        new RetryPolicy(5, Duration.ofMillis(10), Duration.ofMillis(50)));

        assertThat(dead).isEmpty();
        HTTP.server()
                .verify(
                        3,
                        postRequestedFor(urlEqualTo("/hook"))
                                .withHeader("Authorization", equalTo("Bearer s3cret"))
                                .withRequestBody(
                                        equalTo(
                                                "{\"id\":\""
                                                        + f.id()
                                                        + "\",\"layer\":\"download of sha256:throttled\"}")));
    }

    @Test
    void aPermanentFailureIsDeadLetteredAtOnceAndTheOthersStillArrive() throws Exception {
        Finding poison = finding("sha256:poison");
        Finding good = finding("sha256:good");
        HTTP.server()
                .stubFor(
                        post("/hook")
                                .withRequestBody(containing(poison.id()))
                                .willReturn(
                                        aResponse().withStatus(400).withBody("invalid payload")));
        HTTP.server()
                .stubFor(
                        post("/hook")
                                .withRequestBody(containing(good.id()))
                                .willReturn(aResponse().withStatus(204)));

        List<JsonNode> dead =
                run(List.of(poison, good), target(Duration.ofSeconds(5)), RetryPolicy.DEFAULTS);

        assertThat(dead)
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.path("sink").asText()).isEqualTo("webhook");
                            assertThat(d.path("findingId").asText()).isEqualTo(poison.id());
                            assertThat(d.path("attempts").asInt()).isEqualTo(1);
                            assertThat(d.path("error").asText())
                                    .isEqualTo("HTTP 400 (15-byte body)");
                            assertThat(d.path("finding").path("ruleId").asText())
                                    .isEqualTo("layer-download");
                        });
        HTTP.server()
                .verify(
                        1,
                        postRequestedFor(urlEqualTo("/hook"))
                                .withRequestBody(containing(poison.id())));
        HTTP.server()
                .verify(
                        1,
                        postRequestedFor(urlEqualTo("/hook"))
                                .withRequestBody(containing(good.id())));
    }

    @Test
    void aPersistentlyFailingDestinationIsDeadLetteredAfterBoundedAttempts() throws Exception {
        HTTP.server().stubFor(post("/hook").willReturn(aResponse().withStatus(500)));
        Finding f = finding("sha256:down");

        List<JsonNode> dead =
                run(
                        List.of(f),
                        target(Duration.ofSeconds(5)),
                        new RetryPolicy(3, Duration.ofMillis(5), Duration.ofMillis(20)));

        assertThat(dead)
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.path("attempts").asInt()).isEqualTo(3);
                            assertThat(d.path("error").asText())
                                    .startsWith("gave up after 3 attempts: HTTP 500");
                        });
        HTTP.server().verify(3, postRequestedFor(urlEqualTo("/hook")));
    }

    @Test
    void timeoutsAreRetried() throws Exception {
        Finding f = finding("sha256:slow");
        HTTP.server()
                .stubFor(
                        post("/hook")
                                .inScenario("slow")
                                .whenScenarioStateIs(Scenario.STARTED)
                                .willReturn(aResponse().withStatus(200).withFixedDelay(1500))
                                .willSetStateTo("fast"));
        HTTP.server()
                .stubFor(
                        post("/hook")
                                .inScenario("slow")
                                .whenScenarioStateIs("fast")
                                .willReturn(aResponse().withStatus(200)));

        List<JsonNode> dead =
                run(
                        List.of(f),
                        target(Duration.ofMillis(300)),
                        new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(20)));

        assertThat(dead).isEmpty();
        HTTP.server().verify(2, postRequestedFor(urlEqualTo("/hook")));
    }

    @Test
    void unencodableFindingsAreDeadLetteredNotDropped() throws Exception {
        DeliveryTarget<Finding> tooSmall = new TinyTarget();
        List<JsonNode> dead = run(List.of(finding("sha256:big")), tooSmall, RetryPolicy.DEFAULTS);
        assertThat(dead)
                .singleElement()
                .satisfies(
                        d ->
                                assertThat(d.path("error").asText())
                                        .isEqualTo(
                                                "encoded value exceeds the tiny entry limit of 10 bytes"));
    }

    /** Allows 10-byte entries only. */
    static final class TinyTarget implements FindingTarget {
        @Override
        public String name() {
            return "tiny";
        }

        @Override
        public Limits limits() {
            return new Limits(10, 1000, 10, 0);
        }

        @Override
        public String encode(Finding f) {
            return "more than ten bytes";
        }

        @Override
        public DeliveryClient connect() {
            return batch -> {
                throw new AssertionError("nothing to send");
            };
        }
    }
}
