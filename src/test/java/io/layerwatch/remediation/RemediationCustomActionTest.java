package io.layerwatch.remediation;

import static io.layerwatch.remediation.Fixtures.resource;
import static io.layerwatch.testing.CloudTrailRecords.ACCOUNT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layerwatch.config.RemediationConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.event.DeadLetter;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.event.EventKind;
import io.layerwatch.event.decode.DecodeOutput;
import io.layerwatch.event.decode.PayloadDecoder;
import io.layerwatch.finding.Finding;
import io.layerwatch.sinks.remediation.ActionRequest;
import io.layerwatch.sinks.remediation.CustomActions;
import io.layerwatch.sinks.remediation.Planner;
import io.layerwatch.sinks.remediation.Target;
import io.layerwatch.sinks.securityhub.AsffMapper;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.util.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * "Security Hub Findings - Custom Action": decoded per selected finding, mapped to an action,
 * planned.
 */
class RemediationCustomActionTest {

    static final RemediationConfig CONFIG =
            RulesConfigLoader.fromYaml(
                            """
            remediation:
              customActions:
                LWQuarantine: quarantine-repository
                LWCloseExposure: remove-exposing-statements
            """,
                            "c.yaml")
                    .remediation();

    @Test
    void eachSelectedFindingBecomesOneEventNamedByTheCustomActionId() throws Exception {
        List<EcrEvent> events =
                CloudTrailRecords.decodeAll(resource("remediation/securityhub-custom-action.json"));
        assertThat(events)
                .hasSize(3)
                .allSatisfy(
                        e -> {
                            assertThat(e.kind()).isEqualTo(EventKind.CUSTOM_ACTION);
                            assertThat(e.eventName()).isEqualTo("LWQuarantine");
                            assertThat(e.eventSource()).isEqualTo("aws.securityhub");
                            assertThat(e.time().toString()).isEqualTo("2026-03-02T10:15:00Z");
                            assertThat(Json.tree(e.raw()).path("detail").path("findings"))
                                    .hasSize(1);
                        });
        assertThat(events)
                .extracting(EcrEvent::eventId)
                .doesNotHaveDuplicates()
                .allMatch(id -> id.startsWith("1a1111a1-b22b-3c33-444d-5555e5ee5555#"));
        EcrEvent inspector = events.get(0);
        assertThat(inspector.repositoryName()).isEqualTo("orders-api");
        assertThat(inspector.registryId()).isEqualTo(ACCOUNT);
        assertThat(inspector.region()).isEqualTo("us-east-1");
        assertThat(inspector.imageDigest()).startsWith("sha256:9f86d0");
        assertThat(events.get(1).repositoryName()).isEqualTo("payments-api");
        assertThat(events.get(2).repositoryName()).isNull();
    }

    @Test
    void mappedActionsArePlannedForEcrFindingsAndRefusedForOthers() throws Exception {
        List<EcrEvent> events =
                CloudTrailRecords.decodeAll(resource("remediation/securityhub-custom-action.json"));
        List<ActionRequest> requests =
                events.stream().map(e -> CustomActions.request(e, CONFIG, ACCOUNT)).toList();

        ActionRequest inspector = requests.get(0);
        assertThat(inspector.action()).isEqualTo("quarantine-repository");
        assertThat(inspector.applicable()).isTrue();
        assertThat(inspector.target())
                .isEqualTo(Target.repository(ACCOUNT, "us-east-1", "orders-api"));
        assertThat(inspector.findingId())
                .isEqualTo(
                        "arn:aws:inspector2:us-east-1:111122223333:finding/0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a");
        assertThat(inspector.ruleId()).isEqualTo("AWSInspector");
        assertThat(inspector.trigger()).isEqualTo("custom-action:LWQuarantine");
        assertThat(inspector.actor())
                .isEqualTo("arn:aws:securityhub:us-east-1:111122223333:action/custom/LWQuarantine");
        assertThat(inspector.idempotencyKey()).endsWith("|" + events.get(0).eventId());

        ActionRequest own = requests.get(1);
        assertThat(own.findingId()).isEqualTo("6d4f0c2e9b1a4e2fa1c3d5e7f9b2c4d6");
        assertThat(own.ruleId()).isEqualTo("vulnerable-image-scan");
        assertThat(own.target().repository()).isEqualTo("payments-api");

        ActionRequest ec2 = requests.get(2);
        assertThat(ec2.applicable()).isFalse();
        assertThat(ec2.problem()).isEqualTo("not a LayerWatch or ECR finding");

        EcrEvent unmapped =
                CloudTrailRecords.decodeAll(
                                resource("remediation/securityhub-custom-action.json")
                                        .replace(
                                                "action/custom/LWQuarantine",
                                                "action/custom/SomethingElse"))
                        .get(0);
        ActionRequest r = CustomActions.request(unmapped, CONFIG, ACCOUNT);
        assertThat(r.applicable()).isFalse();
        assertThat(r.problem()).contains("SomethingElse is not mapped");
    }

    /** The custom action event for one ASFF finding, as EventBridge delivers it to the hub. */
    static EcrEvent clicked(ObjectNode asff, String actionId) {
        ObjectNode envelope = Json.MAPPER.createObjectNode();
        envelope.put("version", "0")
                .put("id", "evt-" + actionId)
                .put("detail-type", "Security Hub Findings - Custom Action")
                .put("source", "aws.securityhub")
                .put("account", HUB)
                .put("time", "2026-03-02T10:20:00Z")
                .put("region", "us-east-1");
        envelope.putArray("resources")
                .add("arn:aws:securityhub:us-east-1:" + HUB + ":action/custom/" + actionId);
        envelope.putObject("detail").put("actionName", "x").putArray("findings").add(asff);
        return CloudTrailRecords.decode(envelope.toString());
    }

    static final String HUB = "123412341234";
    static final String MEMBER = "222233334444";
    static final RemediationConfig ALL_ACTIONS =
            RulesConfigLoader.fromYaml(
                            """
            remediation:
              customActions:
                LWQuarantine: quarantine-repository
                LWCloseExposure: remove-exposing-statements
                LWRevoke: revoke-sessions
                LWDeny: deny-layer-download
            """,
                            "c.yaml")
                    .remediation();

    @Test
    void aMemberAccountsForgedLayerWatchFindingSteersNothingOutsideItsAccount() {
        // A real LayerWatch finding about ACCOUNT's repository, role and statements, copied by a
        // member account into its own product (it cannot import into the hub's): GeneratorId
        // layerwatch/..., ProductFields and Resources all name ACCOUNT.
        Finding victim = Fixtures.exposed("forged-1");
        ObjectNode forged = new AsffMapper(HUB, "us-east-1", null).toAsff(victim);
        forged.put(
                        "ProductArn",
                        "arn:aws:securityhub:us-east-1:"
                                + MEMBER
                                + ":product/"
                                + MEMBER
                                + "/default")
                .put("AwsAccountId", MEMBER);
        assertThat(forged.path("GeneratorId").asText()).startsWith("layerwatch/");
        assertThat(forged.path("ProductFields").path("layerwatch/accountId").asText())
                .isEqualTo(ACCOUNT);

        for (String action : List.of("LWQuarantine", "LWCloseExposure", "LWRevoke", "LWDeny")) {
            ActionRequest r = CustomActions.request(clicked(forged, action), ALL_ACTIONS, HUB);
            assertThat(r.applicable()).as(action).isFalse();
            assertThat(r.target()).as(action).isNull();
            assertThat(r.finding().accountId()).as(action).isEqualTo(MEMBER);
            assertThat(Planner.exposingStatements(r.finding())).as(action).isEmpty();
            assertThat(r.finding().principal()).as(action).isNull();
        }
        assertThat(
                        CustomActions.request(clicked(forged, "LWQuarantine"), ALL_ACTIONS, HUB)
                                .problem())
                .contains("outside its own account " + MEMBER);

        // The same, naming no ECR resource at all: only ProductFields name the repository.
        forged.remove("Resources");
        forged.putArray("Resources")
                .addObject()
                .put("Type", "AwsAccount")
                .put("Id", "AWS::::Account:" + MEMBER);
        ActionRequest r = CustomActions.request(clicked(forged, "LWQuarantine"), ALL_ACTIONS, HUB);
        assertThat(r.applicable()).isFalse();
        assertThat(r.problem()).isEqualTo("not a LayerWatch or ECR finding");

        // The genuine finding, in the hub's product, is LayerWatch's own.
        ActionRequest own =
                CustomActions.request(
                        clicked(
                                new AsffMapper(HUB, "us-east-1", null).toAsff(victim),
                                "LWCloseExposure"),
                        ALL_ACTIONS,
                        HUB);
        assertThat(own.applicable()).as(own.problem()).isTrue();
        assertThat(own.target()).isEqualTo(Target.repository(ACCOUNT, "us-east-1", "payments-api"));
        assertThat(Planner.exposingStatements(own.finding())).hasSize(1);
    }

    @Test
    void aForgedFindingOnItsOwnRepositoryActsOnlyThere() {
        // A member account's finding on its own ECR repository (allowed, as for Inspector), whose
        // ProductFields still name ACCOUNT's principal and statements.
        ObjectNode forged =
                new AsffMapper(HUB, "us-east-1", null).toAsff(Fixtures.exposed("forged-2"));
        forged.put(
                        "ProductArn",
                        "arn:aws:securityhub:us-east-1:"
                                + MEMBER
                                + ":product/"
                                + MEMBER
                                + "/default")
                .put("AwsAccountId", MEMBER);
        forged.remove("Resources");
        forged.putArray("Resources")
                .addObject()
                .put("Type", "AwsEcrRepository")
                .put("Id", "arn:aws:ecr:us-east-1:" + MEMBER + ":repository/tools");
        ActionRequest q = CustomActions.request(clicked(forged, "LWQuarantine"), ALL_ACTIONS, HUB);
        assertThat(q.applicable()).as(q.problem()).isTrue();
        assertThat(q.target()).isEqualTo(Target.repository(MEMBER, "us-east-1", "tools"));
        assertThat(q.ruleId()).as("not passed off as a LayerWatch rule").startsWith("layerwatch/");
        for (String action : List.of("LWCloseExposure", "LWRevoke", "LWDeny")) {
            assertThat(
                            CustomActions.request(clicked(forged, action), ALL_ACTIONS, HUB)
                                    .applicable())
                    .as(action)
                    .isFalse();
        }
    }

    @Test
    void layerWatchFindingsComeBackFromAsffWithTheirExposingStatements() {
        Finding exposed = Fixtures.exposed("cx-1");
        ObjectNode asff = new AsffMapper(null, null, null).toAsff(exposed);
        ObjectNode envelope = Json.MAPPER.createObjectNode();
        envelope.put("version", "0")
                .put("id", "evt-2")
                .put("detail-type", "Security Hub Findings - Custom Action")
                .put("source", "aws.securityhub")
                .put("account", ACCOUNT)
                .put("time", "2026-03-02T10:20:00Z")
                .put("region", "us-east-1");
        envelope.putArray("resources")
                .add("arn:aws:securityhub:us-east-1:" + ACCOUNT + ":action/custom/LWCloseExposure");
        envelope.putObject("detail").put("actionName", "close").putArray("findings").add(asff);

        EcrEvent e = CloudTrailRecords.decode(envelope.toString());
        ActionRequest r = CustomActions.request(e, CONFIG, ACCOUNT);

        assertThat(r.action()).isEqualTo("remove-exposing-statements");
        assertThat(r.findingId()).isEqualTo(exposed.id());
        assertThat(r.ruleId()).isEqualTo("repository-exposed");
        assertThat(r.applicable()).as(r.problem()).isTrue();
        assertThat(r.target()).isEqualTo(Target.repository(ACCOUNT, "us-east-1", "payments-api"));
        List<JsonNode> statements = Planner.exposingStatements(r.finding());
        assertThat(statements).hasSize(1);
        assertThat(statements.get(0)).isEqualTo(Json.tree(Fixtures.PUBLIC_PULL));
    }

    @Test
    void malformedCustomActionEventsAreDeadLettered() {
        List<String> reasons = new ArrayList<>();
        new PayloadDecoder()
                .decode(
                        ("{\"detail-type\":\"Security Hub Findings - Custom Action\","
                                        + "\"time\":\"2026-03-02T10:15:00Z\",\"detail\":{\"findings\":\"nope\"}}")
                                .getBytes(StandardCharsets.UTF_8),
                        "t",
                        new DecodeOutput() {
                            @Override
                            public void event(EcrEvent event) {
                                throw new AssertionError("no event expected");
                            }

                            @Override
                            public void deadLetter(DeadLetter d) {
                                reasons.add(d.reason());
                            }
                        });
        assertThat(reasons).containsExactly("Security Hub custom action without a findings array");
    }
}
