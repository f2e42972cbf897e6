package io.layerwatch.sinks.securityhub;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.layerwatch.sinks.securityhub.SecurityHubHubAccountIT.CENTRAL;
import static io.layerwatch.sinks.securityhub.SecurityHubHubAccountIT.memberFindings;
import static io.layerwatch.sinks.securityhub.SecurityHubTargetIT.IMPORT;
import static io.layerwatch.sinks.securityhub.SecurityHubTargetIT.findingsOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.finding.Finding;
import io.layerwatch.replay.Replay;
import io.layerwatch.sinks.FindingSinks;
import io.layerwatch.testing.FakeAws;
import io.layerwatch.testing.MiniClusters;
import io.layerwatch.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The securityhub sink as a rules file without hubAccountId configures it, in a Flink job: member
 * findings reach the central account's Security Hub, and when STS cannot name the caller they end
 * in the sink dead letters with the reason, the job completing.
 */
class SecurityHubDeliveryIT {

    @RegisterExtension static final MiniClusterExtension CLUSTER = MiniClusters.withSlots(1);

    @RegisterExtension
    static final FakeAws AWS = new FakeAws(new SecurityHubHubAccountIT.ImportAsCaller());

    @TempDir Path dir;

    @BeforeEach
    void securityHubOfTheCentralAccount() {
        SecurityHubHubAccountIT.stubImport(AWS.server());
    }

    /** Runs the findings through the configured securityhub sink; returns the sink dead letters. */
    List<JsonNode> deliver(List<Finding> findings) throws Exception {
        RulesConfig rules =
                RulesConfigLoader.fromYaml(
                        """
                sinks:
                  aws: {region: us-east-1, endpoint: "%s"}
                  delivery: {maxAttempts: 2, baseDelay: 10ms, maxDelay: 20ms}
                  deadLetter: {type: file, path: dead.jsonl}
                  securityhub: {enabled: true}
                """
                                .formatted(AWS.endpoint()),
                        "rules.yaml");
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(Replay.localConfiguration());
        env.setParallelism(1);
        FindingSinks.attach(
                env.fromData(findings), rules.sinks(), Set.of("securityhub"), dir, false);
        env.execute("securityhub-delivery");
        List<JsonNode> out = new ArrayList<>();
        Path dead = dir.resolve("dead.jsonl");
        if (Files.exists(dead)) {
            Files.readAllLines(dead).forEach(l -> out.add(Json.tree(l)));
        }
        return out;
    }

    @Test
    void memberFindingsAreImportedIntoTheCallersAccount() throws Exception {
        SecurityHubHubAccountIT.stubCaller(AWS.server(), CENTRAL);
        assertThat(deliver(memberFindings())).isEmpty();
        List<JsonNode> sent = new ArrayList<>();
        AWS.server()
                .findAll(postRequestedFor(urlEqualTo(IMPORT)))
                .forEach(r -> findingsOf(r).forEach(sent::add));
        assertThat(sent)
                .hasSize(2)
                .allSatisfy(f -> assertThat(f.path("AwsAccountId").asText()).isEqualTo(CENTRAL));
    }

    @Test
    void whenStsDeniesTheFindingsAreDeadLetteredWithTheReason() throws Exception {
        SecurityHubHubAccountIT.stubStsError(AWS.server(), 403, "AccessDenied");
        List<Finding> findings = memberFindings();
        List<JsonNode> dead = deliver(findings);
        assertThat(dead)
                .hasSize(2)
                .allSatisfy(
                        d -> {
                            assertThat(d.path("sink").asText()).isEqualTo("securityhub");
                            assertThat(d.path("attempts").asInt()).isEqualTo(1);
                            assertThat(d.path("error").asText())
                                    .startsWith(
                                            "the Security Hub account is unknown: STS GetCallerIdentity failed: ")
                                    .contains("AccessDenied");
                        });
        assertThat(dead)
                .extracting(d -> d.path("findingId").asText())
                .containsExactlyInAnyOrderElementsOf(findings.stream().map(Finding::id).toList());
        assertThat(AWS.server().findAll(postRequestedFor(urlEqualTo(IMPORT)))).isEmpty();
    }
}
