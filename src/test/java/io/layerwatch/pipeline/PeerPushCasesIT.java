package io.layerwatch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.config.Severity;
import io.layerwatch.finding.Finding;
import io.layerwatch.testing.MiniClusters;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The peers' own PutImage cases (samples/peers/, provenance in its README.md) through
 * unexpected-image-push: Panther's AWS.ECR.CRUD with its deploy role as the pusher, Splunk's
 * "unknown user" with CI roles as pushers, and under the built-in rules (a repository's first
 * pusher is learned, and time of day is not a signal, unlike Splunk's "outside business hours").
 */
class PeerPushCasesIT {

    @RegisterExtension static final MiniClusterExtension CLUSTER = MiniClusters.withSlots(1);

    static List<JsonNode> cases(String rule) {
        return Stream.of("panther.json", "splunk.json")
                .flatMap(file -> PeerConformanceIT.cases(file).stream())
                .filter(
                        c ->
                                c.path("rule").asText().equals(rule)
                                        && c.path("event")
                                                .path("eventName")
                                                .asText()
                                                .equals("PutImage"))
                .toList();
    }

    static List<Finding> replay(JsonNode peerCase, RulesConfig config) throws Exception {
        byte[] record = peerCase.get("event").toString().getBytes(StandardCharsets.UTF_8);
        return PipelineHarness.run(List.of(Payload.ofBytes("peer", record)), config, 1)
                .of(RuleCatalog.UNEXPECTED_IMAGE_PUSH);
    }

    @Test
    void panthersCrudCasesWithItsDeployRoleAsPusherGetPanthersVerdicts() throws Exception {
        RulesConfig deployRole =
                RulesConfigLoader.fromYaml(
                        "rules:\n  unexpected-image-push: {pushers: [\"*DeployRole*\"]}\n",
                        "panther.yaml");
        List<JsonNode> crud = cases("AWS.ECR.CRUD");
        assertThat(crud).hasSize(3);
        for (JsonNode c : crud) {
            List<Finding> found = replay(c, deployRole);
            assertThat(!found.isEmpty())
                    .as(c.path("test_name").asText())
                    .isEqualTo(c.path("expected").asBoolean());
            // an IAM user's key (AKIA...) that made no registry login before the push
            assertThat(found).allSatisfy(f -> assertThat(f.severity()).isEqualTo(Severity.HIGH));
        }
    }

    @Test
    void splunksUploadByAnUnknownUserIsReportedOnceCiRolesAreThePushers() throws Exception {
        JsonNode unknownUser = cases("AWS ECR Container Upload Unknown User").get(0);
        assertThat(unknownUser.path("expected").asBoolean()).isTrue();
        RulesConfig ciPushers =
                RulesConfigLoader.fromYaml(
                        "rules:\n  unexpected-image-push: {pushers: [\"arn:aws:iam::111111111111:role/ci-*\"]}\n",
                        "splunk.yaml");
        assertThat(replay(unknownUser, ciPushers))
                .singleElement()
                .satisfies(
                        f -> {
                            assertThat(f.principal().arn())
                                    .isEqualTo("arn:aws:iam::111111111111:user/test");
                            assertThat(f.severity())
                                    .as("no AKIA key, no untrusted network configured")
                                    .isEqualTo(Severity.MEDIUM);
                        });
        // Built-in rules: the repository's first pusher is learned; the hour of the push plays no
        // part.
        assertThat(replay(unknownUser, RulesConfigLoader.builtIn())).isEmpty();
        assertThat(
                        replay(
                                cases("AWS ECR Container Upload Outside Business Hours").get(0),
                                RulesConfigLoader.builtIn()))
                .isEmpty();
    }
}
