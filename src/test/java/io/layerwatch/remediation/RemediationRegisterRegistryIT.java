package io.layerwatch.remediation;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.layerwatch.testing.CloudTrailRecords.ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.finding.Finding;
import io.layerwatch.rules.RegistryNotAssessed;
import io.layerwatch.sinks.remediation.ActionRejectedException;
import io.layerwatch.sinks.remediation.AssessmentApi;
import io.layerwatch.sinks.remediation.AuditLog;
import io.layerwatch.sinks.remediation.AuditRecord;
import io.layerwatch.sinks.remediation.RemediationBatch;
import io.layerwatch.sinks.remediation.RemediationSettings;
import io.layerwatch.testing.FakeAws;
import io.layerwatch.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * register-registry end to end: the registry-not-assessed finding, the client credentials from
 * Secrets Manager (real SDK), the OAuth2 token, the listing of connections and the creation of the
 * missing one against a WireMock stand-in of the assessment service; never a duplicate.
 */
class RemediationRegisterRegistryIT {

    @RegisterExtension static final FakeAws AWS = new FakeAws();

    static final String SECRET =
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:layerwatch/assessment-AbCdEf";
    static final String REGISTRIES = "/container-security/entities/registries/v1";
    static final String URL = "https://" + ACCOUNT + ".dkr.ecr.us-east-1.amazonaws.com";

    @TempDir Path dir;

    WireMockServer wm() {
        return AWS.server();
    }

    RemediationSettings settings() {
        return Fixtures.settings(
                AWS,
                dir,
                """
                rules:
                  registry-not-assessed: {actions: [register-registry]}
                actions:
                  register-registry:
                    dryRun: false
                    secretArn: "%s"
                    connectionRoleArn: "arn:aws:iam::{account}:role/ImageAssessmentReader"
                    externalId: ext-42
                """
                        .formatted(SECRET));
    }

    /**
     * registry-not-assessed for 111122223333:us-east-1 (the rule itself, over a CreateRepository).
     */
    static Finding notAssessed() {
        RulesConfig rules =
                RulesConfigLoader.fromYaml(
                        """
                rules:
                  registry-not-assessed:
                    registries: ["111122223333:*"]
                """,
                        "r.yaml");
        return new RegistryNotAssessed()
                .evaluate(
                        record("CreateRepository").repositoryName("new-app").event(),
                        rules.rule(RegistryNotAssessed.ID))
                .orElseThrow();
    }

    void secretAndToken() {
        wm().stubFor(
                        post(urlEqualTo("/"))
                                .withHeader(
                                        "X-Amz-Target", equalTo("secretsmanager.GetSecretValue"))
                                .willReturn(
                                        Fixtures.json(
                                                200,
                                                Json.MAPPER
                                                        .createObjectNode()
                                                        .put("ARN", SECRET)
                                                        .put("Name", "x")
                                                        .put("VersionId", "v1")
                                                        .put(
                                                                "SecretString",
                                                                Json.MAPPER
                                                                        .createObjectNode()
                                                                        .put(
                                                                                "clientId",
                                                                                "lw-client")
                                                                        .put(
                                                                                "clientSecret",
                                                                                "s3cr3t/+=")
                                                                        .put(
                                                                                "baseUrl",
                                                                                AWS.endpoint()
                                                                                        + "/")
                                                                        .toString())
                                                        .toString())));
        wm().stubFor(
                        post(urlEqualTo("/oauth2/token"))
                                .willReturn(
                                        okJson(
                                                "{\"access_token\":\"tok-1\",\"token_type\":\"bearer\",\"expires_in\":1799}")));
    }

    static String page(int total, int offset, String... urls) {
        StringBuilder r = new StringBuilder();
        for (int i = 0; i < urls.length; i++) {
            r.append(i == 0 ? "" : ",")
                    .append("{\"id\":\"conn-")
                    .append(offset + i)
                    .append("\",\"type\":\"ecr\",\"url\":\"")
                    .append(urls[i])
                    .append("\"}");
        }
        return "{\"meta\":{\"pagination\":{\"offset\":"
                + offset
                + ",\"limit\":100,\"total\":"
                + total
                + "}},\"resources\":["
                + r
                + "],\"errors\":[]}";
    }

    List<AuditRecord> apply(Finding... findings) throws Exception {
        List<AuditRecord> out = new ArrayList<>();
        try (RemediationBatch b =
                new RemediationBatch(
                        settings(), new AuditLog(dir.resolve("audit.jsonl")), "t", ms -> {})) {
            b.apply(List.of(findings), null, true, out::add);
        }
        return out;
    }

    /** Enrolls the missing registry (listing has only another account's registry); its record. */
    AuditRecord enroll() throws Exception {
        secretAndToken();
        wm().stubFor(
                        get(urlPathEqualTo(REGISTRIES))
                                .willReturn(
                                        okJson(
                                                page(
                                                        1,
                                                        0,
                                                        "https://444455556666.dkr.ecr.us-east-1.amazonaws.com"))));
        wm().stubFor(
                        post(urlEqualTo(REGISTRIES))
                                .willReturn(
                                        aResponse()
                                                .withStatus(201)
                                                .withHeader("Content-Type", "application/json")
                                                .withBody(
                                                        "{\"resources\":[{\"id\":\"conn-new\"}]}")));
        return apply(notAssessed()).get(0);
    }

    @Test
    void enrollsTheMissingRegistryWithTheConnectionRole() throws Exception {
        AuditRecord rec = enroll();

        assertThat(rec.result()).as(rec.error()).isEqualTo(AuditRecord.RESULT_EXECUTED);
        assertThat(rec.target()).isEqualTo(ACCOUNT + ".dkr.ecr.us-east-1.amazonaws.com");
        assertThat(rec.before().path("enrolled").asBoolean()).isFalse();
        assertThat(rec.after().path("connectionId").asText()).isEqualTo("conn-new");
        assertThat(rec.after().path("created").asBoolean()).isTrue();

        LoggedRequest token = wm().findAll(postRequestedFor(urlEqualTo("/oauth2/token"))).get(0);
        assertThat(token.getHeader("Content-Type")).startsWith("application/x-www-form-urlencoded");
        assertThat(Fixtures.form(token))
                .containsEntry("client_id", "lw-client")
                .containsEntry("client_secret", "s3cr3t/+=")
                .containsEntry("grant_type", "client_credentials");
        LoggedRequest list = wm().findAll(getRequestedFor(urlPathEqualTo(REGISTRIES))).get(0);
        assertThat(list.getHeader("Authorization")).isEqualTo("Bearer tok-1");
        assertThat(list.queryParameter("offset").firstValue()).isEqualTo("0");
        LoggedRequest create = wm().findAll(postRequestedFor(urlEqualTo(REGISTRIES))).get(0);
        assertThat(create.getHeader("Authorization")).isEqualTo("Bearer tok-1");
        JsonNode body = Json.tree(create.getBodyAsString());
        assertThat(body.path("type").asText()).isEqualTo("ecr");
        assertThat(body.path("url").asText()).isEqualTo(URL);
        assertThat(body.path("credential").path("details").path("aws_iam_role").asText())
                .isEqualTo("arn:aws:iam::" + ACCOUNT + ":role/ImageAssessmentReader");
        assertThat(body.path("credential").path("details").path("aws_external_id").asText())
                .isEqualTo("ext-42");
        // The secret never reaches the audit log.
        assertThat(Files.readString(dir.resolve("audit.jsonl")))
                .doesNotContain("s3cr3t")
                .doesNotContain("tok-1");
    }

    @Test
    void undoDeletesTheConnectionItCreated() throws Exception {
        AuditRecord rec = enroll();

        // Listed with another spelling of the URL.
        wm().resetAll();
        secretAndToken();
        wm().stubFor(
                        get(urlPathEqualTo(REGISTRIES))
                                .willReturn(
                                        okJson(
                                                page(1, 0, URL.toUpperCase() + "/")
                                                        .replace("conn-0", "conn-new"))));
        wm().stubFor(
                        delete(urlPathEqualTo(REGISTRIES))
                                .willReturn(okJson("{\"resources\":[\"conn-new\"]}")));
        assertThat(undo(rec.id()).result()).isEqualTo(AuditRecord.RESULT_UNDONE);
        LoggedRequest deleted = wm().findAll(deleteRequestedFor(urlPathEqualTo(REGISTRIES))).get(0);
        assertThat(deleted.queryParameter("ids").firstValue()).isEqualTo("conn-new");
        assertThat(deleted.getHeader("Authorization")).isEqualTo("Bearer tok-1");
    }

    AuditRecord undo(String id) throws Exception {
        List<AuditRecord> undone = new ArrayList<>();
        try (RemediationBatch b =
                new RemediationBatch(
                        settings(), new AuditLog(dir.resolve("audit.jsonl")), "t", ms -> {})) {
            b.undo(id, false, undone::add);
        }
        return undone.get(0);
    }

    @Test
    void undoNeverDeletesAConnectionItDidNotCreate() throws Exception {
        secretAndToken();
        wm().stubFor(get(urlPathEqualTo(REGISTRIES)).willReturn(okJson(page(0, 0))));
        wm().stubFor(
                        post(urlEqualTo(REGISTRIES))
                                .willReturn(okJson("{\"resources\":[{\"id\":\"conn-new\"}]}")));
        AuditRecord rec = apply(notAssessed()).get(0);
        assertThat(rec.result()).isEqualTo(AuditRecord.RESULT_EXECUTED);

        // Since then the registry was re-enrolled by someone else (another connection id): left
        // alone.
        wm().resetAll();
        secretAndToken();
        wm().stubFor(get(urlPathEqualTo(REGISTRIES)).willReturn(okJson(page(1, 0, URL))));
        assertThat(undo(rec.id()).result()).isEqualTo(AuditRecord.RESULT_NO_CHANGE);
        assertThat(wm().findAll(deleteRequestedFor(urlPathEqualTo(REGISTRIES)))).isEmpty();
    }

    @Test
    void anEnrolledRegistryIsNeverEnrolledTwiceWhateverThePage() throws Exception {
        secretAndToken();
        List<String> first = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            first.add("https://" + String.format("%012d", i) + ".dkr.ecr.eu-west-1.amazonaws.com");
        }
        wm().stubFor(
                        get(urlPathEqualTo(REGISTRIES))
                                .withQueryParam("offset", equalTo("0"))
                                .willReturn(okJson(page(101, 0, first.toArray(String[]::new)))));
        wm().stubFor(
                        get(urlPathEqualTo(REGISTRIES))
                                .withQueryParam("offset", equalTo("100"))
                                .willReturn(okJson(page(101, 100, URL + "/"))));

        AuditRecord rec = apply(notAssessed()).get(0);

        assertThat(rec.result()).isEqualTo(AuditRecord.RESULT_NO_CHANGE);
        assertThat(rec.after().path("connectionId").asText()).isEqualTo("conn-100");
        assertThat(wm().findAll(getRequestedFor(urlPathEqualTo(REGISTRIES)))).hasSize(2);
        assertThat(wm().findAll(postRequestedFor(urlEqualTo(REGISTRIES)))).isEmpty();
    }

    /** A client of the WireMock assessment service whose secret reads count in {@code reads}. */
    static AssessmentApi api(AtomicInteger reads) {
        return api(AWS.endpoint(), Duration.ofSeconds(5), reads);
    }

    static AssessmentApi api(String baseUrl, Duration timeout, AtomicInteger reads) {
        return new AssessmentApi(
                () -> {
                    reads.incrementAndGet();
                    return new AssessmentApi.Credentials("id", "secret", baseUrl);
                },
                null,
                null,
                timeout,
                Clock.systemUTC());
    }

    @Test
    void aConflictOnCreateMeansTheConnectionExists() throws Exception {
        AssessmentApi api = api(new AtomicInteger());
        wm().stubFor(
                        post(urlEqualTo("/oauth2/token"))
                                .willReturn(
                                        okJson("{\"access_token\":\"old\",\"expires_in\":3600}")));
        wm().stubFor(get(urlPathEqualTo(REGISTRIES)).willReturn(okJson(page(1, 0, URL))));
        wm().stubFor(post(urlEqualTo(REGISTRIES)).willReturn(aResponse().withStatus(409)));

        AssessmentApi.Connection c =
                api.create(ACCOUNT, "us-east-1", "arn:aws:iam::" + ACCOUNT + ":role/R", null);

        assertThat(c.id()).isEqualTo("conn-0");
        assertThat(
                        Json.tree(
                                        wm().findAll(postRequestedFor(urlEqualTo(REGISTRIES)))
                                                .get(0)
                                                .getBodyAsString())
                                .path("credential")
                                .path("details")
                                .has("aws_external_id"))
                .isFalse();
    }

    @Test
    void anExpiredTokenIsRenewedOnceWithoutRereadingTheSecret() throws Exception {
        AtomicInteger secretReads = new AtomicInteger();
        AssessmentApi api = api(secretReads);
        wm().stubFor(
                        post(urlEqualTo("/oauth2/token"))
                                .inScenario("token")
                                .whenScenarioStateIs(Scenario.STARTED)
                                .willReturn(
                                        okJson("{\"access_token\":\"old\",\"expires_in\":3600}"))
                                .willSetStateTo("renewed"));
        wm().stubFor(
                        post(urlEqualTo("/oauth2/token"))
                                .inScenario("token")
                                .whenScenarioStateIs("renewed")
                                .willReturn(
                                        okJson("{\"access_token\":\"new\",\"expires_in\":3600}")));
        wm().stubFor(
                        get(urlPathEqualTo(REGISTRIES))
                                .withHeader("Authorization", equalTo("Bearer old"))
                                .willReturn(aResponse().withStatus(401)));
        wm().stubFor(
                        get(urlPathEqualTo(REGISTRIES))
                                .withHeader("Authorization", equalTo("Bearer new"))
                                .willReturn(okJson(page(1, 0, URL))));

        assertThat(api.find(URL)).map(AssessmentApi.Connection::id).contains("conn-0");

        assertThat(wm().findAll(postRequestedFor(urlEqualTo("/oauth2/token")))).hasSize(2);
        assertThat(secretReads.get()).isEqualTo(1);
    }

    @Test
    void anApiEchoingTheTokenInItsErrorBodyLeavesItOutOfTheAuditRecord() throws Exception {
        secretAndToken();
        wm().stubFor(
                        get(urlPathEqualTo(REGISTRIES))
                                .willReturn(
                                        aResponse()
                                                .withStatus(403)
                                                .withBody(
                                                        "{\"errors\":[{\"message\":\"token tok-1 lacks scope; client s3cr3t/+=\"}]}")));

        AuditRecord rec = apply(notAssessed()).get(0);

        assertThat(rec.error())
                .contains("HTTP 403")
                .doesNotContain("tok-1")
                .doesNotContain("s3cr3t");
        assertThat(Json.write(rec)).doesNotContain("tok-1").doesNotContain("s3cr3t");
        assertThat(Files.readString(dir.resolve("audit.jsonl")))
                .doesNotContain("tok-1")
                .doesNotContain("s3cr3t");
    }

    @Test
    void statusesAreClassifiedAsRetryableOrRejected() {
        AssessmentApi api = api(new AtomicInteger());
        wm().stubFor(
                        post(urlEqualTo("/oauth2/token"))
                                .willReturn(okJson("{\"access_token\":\"t\"}")));
        wm().stubFor(
                        get(urlPathEqualTo(REGISTRIES))
                                .willReturn(aResponse().withStatus(503).withBody("busy")));
        assertThatThrownBy(() -> api.find(URL))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("HTTP 503");
        wm().stubFor(
                        get(urlPathEqualTo(REGISTRIES))
                                .willReturn(
                                        aResponse().withStatus(403).withBody("{\"errors\":[]}")));
        assertThatThrownBy(() -> api.find(URL))
                .isInstanceOf(ActionRejectedException.class)
                .hasMessageContaining("HTTP 403");
    }

    @Test
    void plainHttpIsRefusedForARemoteService() {
        AssessmentApi remote =
                api("http://assessment.example.com", Duration.ofSeconds(1), new AtomicInteger());
        assertThatThrownBy(() -> remote.find(URL))
                .isInstanceOf(ActionRejectedException.class)
                .hasMessageContaining("must be https");
    }

    @Test
    void credentialsHideTheSecretWhenPrinted() {
        assertThat(new AssessmentApi.Credentials("id", "secret", "https://x").toString())
                .doesNotContain("secret");
    }

    @Test
    void theSecretNeedsClientIdClientSecretAndBaseUrlInEitherSpelling() {
        assertThatThrownBy(() -> AssessmentApi.parseSecret("{\"clientId\":\"a\"}"))
                .hasMessageContaining("needs clientId, clientSecret and baseUrl");
        assertThat(
                        AssessmentApi.parseSecret(
                                        "{\"client_id\":\"a\",\"client_secret\":\"b\",\"base_url\":\"https://c\"}")
                                .clientSecret())
                .isEqualTo("b");
    }

    @Test
    void theDryRunNamesTheRegistryAndRoleWithoutCallingAnything() throws Exception {
        RemediationSettings s =
                Fixtures.settings(
                        AWS,
                        dir,
                        """
                actions:
                  register-registry: {connectionRoleArn: "arn:aws:iam::{account}:role/ImageAssessmentReader"}
                """);
        List<AuditRecord> out = new ArrayList<>();
        try (RemediationBatch b =
                new RemediationBatch(s, new AuditLog(dir.resolve("a.jsonl")), "t", ms -> {})) {
            b.apply(List.of(notAssessed()), "register-registry", true, out::add);
        }
        assertThat(out.get(0).result()).isEqualTo(AuditRecord.RESULT_DRY_RUN);
        assertThat(out.get(0).change().path("registry").asText()).isEqualTo(URL);
        assertThat(out.get(0).change().path("connectionRoleArn").asText())
                .isEqualTo("arn:aws:iam::" + ACCOUNT + ":role/ImageAssessmentReader");
        assertThat(wm().getAllServeEvents()).isEmpty();
    }
}
