package io.layerwatch.sinks.securityhub;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.layerwatch.sinks.securityhub.AsffMapperIT.built;
import static io.layerwatch.sinks.securityhub.SecurityHubTargetIT.IMPORT;
import static io.layerwatch.sinks.securityhub.SecurityHubTargetIT.deliveries;
import static io.layerwatch.sinks.securityhub.SecurityHubTargetIT.findingsOf;
import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseTransformerV2;
import com.github.tomakehurst.wiremock.http.Response;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.finding.Finding;
import io.layerwatch.sinks.delivery.Delivery;
import io.layerwatch.sinks.delivery.DeliveryClient;
import io.layerwatch.sinks.delivery.EntryResult;
import io.layerwatch.sinks.delivery.EntryResult.Status;
import io.layerwatch.testing.FakeAws;
import io.layerwatch.util.Json;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A central LayerWatch account imports findings about member accounts. The WireMock Security Hub
 * behaves like BatchImportFindings with the default product ARN: a finding whose AwsAccountId or
 * ProductArn names another account than the caller's fails in FailedFindings. STS GetCallerIdentity
 * (query protocol) says who the caller is.
 */
class SecurityHubHubAccountIT {

    static final String CENTRAL = "999988887777";
    static final String MEMBER_A = "444455556666";
    static final String MEMBER_B = "111122223333";
    static final String CENTRAL_ARN =
            "arn:aws:securityhub:us-east-1:" + CENTRAL + ":product/" + CENTRAL + "/default";

    /**
     * BatchImportFindings as called from {@link #CENTRAL}: other accounts' findings fail one by
     * one.
     */
    static final class ImportAsCaller implements ResponseTransformerV2 {
        @Override
        public Response transform(Response response, ServeEvent event) {
            if (!IMPORT.equals(event.getRequest().getUrl()) || response.getStatus() != 200) {
                return response;
            }
            ObjectNode body = Json.MAPPER.createObjectNode();
            ArrayNode failed = Json.MAPPER.createArrayNode();
            int ok = 0;
            for (JsonNode f : Json.tree(event.getRequest().getBodyAsString()).path("Findings")) {
                String productArn = f.path("ProductArn").asText();
                String[] arn = productArn.split(":", 6);
                boolean own =
                        CENTRAL.equals(f.path("AwsAccountId").asText())
                                && arn.length == 6
                                && CENTRAL.equals(arn[4])
                                && ("product/" + CENTRAL + "/default").equals(arn[5]);
                if (own) {
                    ok++;
                } else {
                    failed.addObject()
                            .put("Id", f.path("Id").asText())
                            .put("ErrorCode", "AccessDeniedException")
                            .put(
                                    "ErrorMessage",
                                    "User: arn:aws:sts::"
                                            + CENTRAL
                                            + ":assumed-role/LayerWatch/flink"
                                            + " is not authorized to perform: securityhub:BatchImportFindings on resource: "
                                            + productArn
                                            + " for AwsAccountId "
                                            + f.path("AwsAccountId").asText());
                }
            }
            body.put("FailedCount", failed.size())
                    .put("SuccessCount", ok)
                    .set("FailedFindings", failed);
            return Response.Builder.like(response).but().body(body.toString()).build();
        }

        @Override
        public String getName() {
            return "import-as-caller"; // applies to every 200 answer of /findings/import
        }
    }

    @RegisterExtension static final FakeAws AWS = new FakeAws(new ImportAsCaller());

    @BeforeEach
    void securityHubOfTheCentralAccount() {
        stubImport(AWS.server());
    }

    /** BatchImportFindings answered by {@link ImportAsCaller} (register it with the server). */
    static void stubImport(WireMockServer server) {
        server.stubFor(
                post(urlEqualTo(IMPORT))
                        .willReturn(
                                aResponse()
                                        .withStatus(200)
                                        .withHeader("Content-Type", "application/json")));
    }

    static MappingBuilder getCallerIdentity() {
        return post(urlEqualTo("/")).withRequestBody(containing("Action=GetCallerIdentity"));
    }

    /** STS answers GetCallerIdentity with {@code account}. */
    static void stubCaller(WireMockServer server, String account) {
        server.stubFor(
                getCallerIdentity()
                        .willReturn(
                                aResponse()
                                        .withStatus(200)
                                        .withHeader("Content-Type", "text/xml")
                                        .withBody(
                                                """
                        <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                          <GetCallerIdentityResult>
                            <Arn>arn:aws:sts::%1$s:assumed-role/LayerWatch/flink</Arn>
                            <UserId>AROAEXAMPLEID:flink</UserId>
                            <Account>%1$s</Account>
                          </GetCallerIdentityResult>
                          <ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata>
                        </GetCallerIdentityResponse>"""
                                                        .formatted(account))));
    }

    static void stubStsError(WireMockServer server, int status, String code) {
        server.stubFor(
                getCallerIdentity()
                        .willReturn(
                                aResponse()
                                        .withStatus(status)
                                        .withHeader("Content-Type", "text/xml")
                                        .withBody(
                                                """
                        <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                          <Error><Type>Sender</Type><Code>%1$s</Code><Message>%1$s from the test</Message></Error>
                          <RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId>
                        </ErrorResponse>"""
                                                        .formatted(code))));
    }

    static int stsCalls() {
        return AWS.server()
                .findAll(
                        postRequestedFor(urlEqualTo("/"))
                                .withRequestBody(containing("Action=GetCallerIdentity")))
                .size();
    }

    static List<LoggedRequest> imports() {
        return AWS.server().findAll(postRequestedFor(urlEqualTo(IMPORT)));
    }

    static SecurityHubTarget target(String hubAccountId) {
        return new SecurityHubTarget(
                SecurityHubTarget.Settings.defaults()
                        .withAws(AWS.settings())
                        .withHub(hubAccountId, null));
    }

    /** Findings about two member accounts in two regions. */
    static List<Finding> memberFindings() {
        return List.of(
                built(
                        RuleCatalog.POLICY_DELETED,
                        record("DeleteRepositoryPolicy")
                                .repositoryName("payments")
                                .recipientAccount(MEMBER_A)
                                .region("eu-west-1")),
                built(
                        RuleCatalog.POLICY_DELETED,
                        record("DeleteRepositoryPolicy")
                                .repositoryName("web")
                                .recipientAccount(MEMBER_B)
                                .region("us-east-1")));
    }

    static List<Status> statuses(List<EntryResult> results) {
        return results.stream().map(EntryResult::status).toList();
    }

    @Test
    void memberAccountFindingsAreImportedIntoTheCallersAccount() throws Exception {
        stubCaller(AWS.server(), CENTRAL);
        SecurityHubTarget target = target(null);
        List<Finding> findings = memberFindings();
        List<EntryResult> results = new ArrayList<>();
        try (DeliveryClient client = target.connect()) {
            results.addAll(client.send(deliveries(target, findings.subList(0, 1))));
            results.addAll(client.send(deliveries(target, findings.subList(1, 2))));
        }
        assertThat(statuses(results)).containsExactly(Status.DELIVERED, Status.DELIVERED);
        assertThat(stsCalls()).as("the caller is asked once per client").isEqualTo(1);

        List<JsonNode> sent = new ArrayList<>();
        imports().forEach(r -> findingsOf(r).forEach(sent::add));
        assertThat(sent).hasSize(2);
        String[][] aboutAccountAndRegion = {{MEMBER_A, "eu-west-1"}, {MEMBER_B, "us-east-1"}};
        for (int i = 0; i < sent.size(); i++) {
            JsonNode f = sent.get(i);
            String account = aboutAccountAndRegion[i][0];
            String region = aboutAccountAndRegion[i][1];
            assertThat(f.path("AwsAccountId").asText()).isEqualTo(CENTRAL);
            assertThat(f.path("ProductArn").asText()).isEqualTo(CENTRAL_ARN);
            assertThat(f.path("ProductFields").path("layerwatch/accountId").asText())
                    .isEqualTo(account);
            assertThat(f.path("ProductFields").path("layerwatch/region").asText())
                    .isEqualTo(region);
            JsonNode repository = f.path("Resources").get(0);
            assertThat(repository.path("Id").asText())
                    .startsWith("arn:aws:ecr:" + region + ":" + account + ":repository/");
            assertThat(repository.path("Region").asText()).isEqualTo(region);
        }
    }

    @Test
    void theFindingsOwnAccountIsWhatTheRealApiRefuses() throws Exception {
        stubCaller(AWS.server(), CENTRAL);
        SecurityHubTarget target = target(MEMBER_A); // a hub account that is not the caller's
        List<EntryResult> results =
                SecurityHubTargetIT.send(target, deliveries(target, memberFindings()));
        assertThat(statuses(results)).containsExactly(Status.REJECTED, Status.REJECTED);
        assertThat(results.get(0).error())
                .startsWith("Security Hub AccessDeniedException: ")
                .contains("product/" + MEMBER_A + "/default");
        assertThat(stsCalls()).as("a configured hub account needs no STS").isZero();
    }

    @Test
    void aConfiguredHubAccountIsUsedWithoutAskingSts() throws Exception {
        stubStsError(AWS.server(), 403, "AccessDenied");
        SecurityHubTarget target = target(CENTRAL);
        assertThat(statuses(SecurityHubTargetIT.send(target, deliveries(target, memberFindings()))))
                .containsExactly(Status.DELIVERED, Status.DELIVERED);
        assertThat(stsCalls()).isZero();
        assertThat(findingsOf(imports().get(0)).get(1).path("AwsAccountId").asText())
                .isEqualTo(CENTRAL);
    }

    @Test
    void stsDeniedRejectsTheBatchWithTheReasonAndImportsNothing() throws Exception {
        stubStsError(AWS.server(), 403, "AccessDenied");
        SecurityHubTarget target = target(null);
        List<Delivery> batch = new ArrayList<>(deliveries(target, memberFindings()));
        batch.add(Delivery.of("broken", "{\"Nope\":1}", "{}"));
        List<EntryResult> results = SecurityHubTargetIT.send(target, batch);
        assertThat(statuses(results))
                .containsExactly(Status.REJECTED, Status.REJECTED, Status.REJECTED);
        assertThat(results.get(0).error())
                .startsWith("the Security Hub account is unknown: STS GetCallerIdentity failed:")
                .contains(
                        "AccessDenied",
                        "sinks.securityhub.hubAccountId",
                        "Sinks.securityhub.hub.account.id");
        assertThat(results.get(2).error())
                .as("an unreadable payload keeps its own reason")
                .contains("unknown ASFF attribute Nope");
        assertThat(imports()).isEmpty();
    }

    @Test
    void aTransientStsFailureIsRetriedAndTheNextBatchAsksAgain() throws Exception {
        stubStsError(AWS.server(), 503, "ServiceUnavailable");
        SecurityHubTarget target = target(null);
        try (DeliveryClient client = target.connect()) {
            List<EntryResult> failed = client.send(deliveries(target, memberFindings()));
            assertThat(statuses(failed)).containsExactly(Status.RETRY, Status.RETRY);
            assertThat(failed.get(0).error()).contains("ServiceUnavailable");
            assertThat(imports()).isEmpty();

            stubCaller(AWS.server(), CENTRAL);
            assertThat(statuses(client.send(deliveries(target, memberFindings()))))
                    .containsExactly(Status.DELIVERED, Status.DELIVERED);
        }
        assertThat(stsCalls()).isEqualTo(2);
    }

    @Test
    void anUnusableCallerAccountIsRejected() throws Exception {
        stubCaller(AWS.server(), "not-an-account");
        SecurityHubTarget target = target(null);
        List<EntryResult> results =
                SecurityHubTargetIT.send(target, deliveries(target, memberFindings()));
        assertThat(statuses(results))
                .as(results.get(0).error())
                .containsExactly(Status.REJECTED, Status.REJECTED);
        assertThat(results.get(0).error())
                .contains("GetCallerIdentity returned the account 'not-an-account'");
        assertThat(imports()).isEmpty();
    }

    @Test
    void withoutAnEventAccountTheProductFieldNamesTheRepositorysAccount() {
        Finding f = memberFindings().get(0);
        Finding noAccount =
                new Finding(
                        f.id(),
                        f.ruleId(),
                        f.severity(),
                        f.title(),
                        f.description(),
                        null,
                        f.region(),
                        f.principal(),
                        new Finding.FindingRepository("payments", MEMBER_A),
                        f.sourceIp(),
                        f.userAgent(),
                        f.firstEventTime(),
                        f.lastEventTime(),
                        f.eventCount(),
                        f.key(),
                        f.eventIds(),
                        f.details(),
                        f.evidence(),
                        f.attack());
        JsonNode asff = Json.tree(target(CENTRAL).encode(noAccount));
        assertThat(asff.path("ProductFields").path("layerwatch/accountId").asText())
                .isEqualTo(MEMBER_A);
        assertThat(asff.path("AwsAccountId").asText()).isEqualTo(CENTRAL);
    }

    @Test
    void hubSettingsAreCheckedNamingTheKey() {
        SecurityHubTarget.Settings d = SecurityHubTarget.Settings.defaults();
        assertThatThrownBy(() -> d.withHub("1234567890123", null))
                .hasMessage(
                        "sinks.securityhub.hubAccountId: '1234567890123' is not a 12-digit account id");
        assertThatThrownBy(() -> d.withHub(null, "Europe"))
                .hasMessage(
                        "sinks.securityhub.hubRegion: 'Europe' is not an AWS region like us-east-1");
        assertThat(d.withHub(CENTRAL, "us-gov-west-1").hubRegion()).isEqualTo("us-gov-west-1");
    }
}
