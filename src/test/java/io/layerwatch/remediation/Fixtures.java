package io.layerwatch.remediation;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.notContaining;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.layerwatch.testing.CloudTrailRecords.ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.FOREIGN_ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.rules.EndgameIoc;
import io.layerwatch.rules.LayerDownload;
import io.layerwatch.rules.RepositoryExposed;
import io.layerwatch.rules.VulnerableImageScan;
import io.layerwatch.sinks.remediation.RemediationSettings;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.testing.FakeAws;
import io.layerwatch.util.Json;
import java.io.InputStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Findings built by the real rules, configs with the remediation: section, and WireMock stubs in
 * the wire protocols the SDK v2 clients speak: ECR and Secrets Manager (AWS JSON 1.1,
 * X-Amz-Target), IAM and STS (query protocol: form bodies, XML replies), and the assessment
 * service's HTTP API.
 */
public final class Fixtures {
    static final String REGION = "us-east-1";
    static final String ECR_TARGET = "AmazonEC2ContainerRegistry_V20150921.";
    static final Instant NOW = Instant.parse("2026-03-02T10:00:00Z");

    /** An existing repository policy: a CI role of the account may pull. */
    static final String CI_PULL =
            """
            {"Sid":"AllowCiPull","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/ci-deployer"},\
            "Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}""";

    /** A statement exposing the repository to everyone. */
    static final String PUBLIC_PULL =
            """
            {"Sid":"PublicPull","Effect":"Allow","Principal":"*","Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}""";

    /** The policy as ECR hands it back: pretty-printed, exactly these bytes. */
    public static final String EXISTING_POLICY =
            "{\n  \"Version\" : \"2012-10-17\",\n  \"Statement\" : [ "
                    + CI_PULL
                    + ", "
                    + PUBLIC_PULL
                    + " ]\n}";

    private Fixtures() {}

    // ---- config
    // ------------------------------------------------------------------------------------------------

    /**
     * Built-in rules + sinks.aws at WireMock + fast retries + file dead letters in {@code dir} +
     * {@code remediation}.
     */
    static RulesConfig config(FakeAws aws, Path dir, String remediationYaml) {
        String yaml =
                """
                sinks:
                  aws:
                    region: us-east-1
                    endpoint: %s
                    callTimeout: 5s
                    attemptTimeout: 2s
                  delivery:
                    maxAttempts: 3
                    baseDelay: 1ms
                    maxDelay: 2ms
                  deadLetter:
                    type: file
                    path: %s
                remediation:
                """
                                .formatted(aws.endpoint(), dir.resolve("dead-letter.jsonl"))
                        + indent(remediationYaml);
        return RulesConfigLoader.fromYaml(yaml, "test.yaml");
    }

    static RemediationSettings settings(FakeAws aws, Path dir, String remediationYaml) {
        return RemediationSettings.from(config(aws, dir, remediationYaml), dir)
                .withClock(Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private static String indent(String yaml) {
        StringBuilder out = new StringBuilder();
        for (String line : yaml.stripIndent().split("\n")) {
            out.append("  ").append(line).append('\n');
        }
        return out.toString();
    }

    // ---- findings
    // ------------------------------------------------------------------------------------------------

    static final RulesConfig RULES = RulesConfigLoader.builtIn();

    /** repository-exposed: payments-api made public (its policy holds CI_PULL and PUBLIC_PULL). */
    public static Finding exposed(String eventId) {
        EcrEvent e =
                record("SetRepositoryPolicy")
                        .repositoryName("payments-api")
                        .eventId(eventId)
                        .policyText(CloudTrailRecords.policyDocument(CI_PULL, PUBLIC_PULL))
                        .event();
        return new RepositoryExposed().evaluate(e, RULES.rule(RepositoryExposed.ID)).orElseThrow();
    }

    /** repository-exposed on the registry policy (PutRegistryPolicy). */
    static Finding registryExposed() {
        EcrEvent e =
                record("PutRegistryPolicy")
                        .eventId("reg-1")
                        .policyText(CloudTrailRecords.policyDocument(CI_PULL, PUBLIC_PULL))
                        .event();
        return new RepositoryExposed().evaluate(e, RULES.rule(RepositoryExposed.ID)).orElseThrow();
    }

    /** endgame-ioc: the Endgame Sid granting a foreign account. */
    static Finding endgame() {
        String backdoor =
                "{\"Sid\":\"Endgame\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::"
                        + FOREIGN_ACCOUNT
                        + ":root\"},\"Action\":\"ecr:*\"}";
        EcrEvent e =
                record("SetRepositoryPolicy")
                        .repositoryName("payments-api")
                        .eventId("endgame-1")
                        .policyText(CloudTrailRecords.policyDocument(CI_PULL, backdoor))
                        .event();
        return new EndgameIoc().evaluate(e, RULES.rule(EndgameIoc.ID)).orElseThrow();
    }

    /**
     * layer-download by the role {@code role} (session alice) of {@code account} from payments-api.
     */
    public static Finding download(String account, String role, String eventId) {
        EcrEvent e =
                record("GetDownloadUrlForLayer")
                        .assumedRole(account, role, "alice")
                        .recipientAccount(ACCOUNT)
                        .repositoryName("payments-api")
                        .param("layerDigest", "sha256:" + "a".repeat(64))
                        .eventId(eventId)
                        .event();
        return new LayerDownload().evaluate(e, RULES.rule(LayerDownload.ID)).orElseThrow();
    }

    /** layer-download by the IAM user {@code user}. */
    static Finding downloadByUser(String user) {
        EcrEvent e =
                record("GetDownloadUrlForLayer")
                        .iamUser(ACCOUNT, user)
                        .repositoryName("payments-api")
                        .param("layerDigest", "sha256:" + "b".repeat(64))
                        .eventId("user-1")
                        .event();
        return new LayerDownload().evaluate(e, RULES.rule(LayerDownload.ID)).orElseThrow();
    }

    /** vulnerable-image-scan of {@code repository}. */
    public static Finding vulnerable(String repository, String eventId) {
        String scan =
                """
                {"version":"0","id":"%s","detail-type":"ECR Image Scan","source":"aws.ecr","account":"%s",
                 "time":"2026-03-02T09:00:00Z","region":"us-east-1","resources":[],
                 "detail":{"scan-status":"COMPLETE","repository-name":"%s","image-digest":"sha256:%s",
                 "image-tags":["v1"],"finding-severity-counts":{"CRITICAL":2,"HIGH":3}}}"""
                        .formatted(eventId, ACCOUNT, repository, "c".repeat(64));
        return new VulnerableImageScan()
                .evaluate(CloudTrailRecords.decode(scan), RULES.rule(VulnerableImageScan.ID))
                .orElseThrow();
    }

    /** A resource of the test class path as text. */
    public static String resource(String name) throws Exception {
        try (InputStream in = Fixtures.class.getClassLoader().getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    // ---- stubs
    // ------------------------------------------------------------------------------------------------

    public static MappingBuilder ecr(String operation) {
        return post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(ECR_TARGET + operation));
    }

    static MappingBuilder query(String action) {
        return post(urlEqualTo("/")).withRequestBody(containing("Action=" + action + "&"));
    }

    public static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse()
                .withStatus(status)
                .withHeader("Content-Type", "application/x-amz-json-1.1")
                .withBody(body);
    }

    static ResponseDefinitionBuilder xml(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "text/xml").withBody(body);
    }

    public static void repositoryPolicy(WireMockServer s, String policyText) {
        if (policyText == null) {
            s.stubFor(
                    ecr("GetRepositoryPolicy")
                            .willReturn(
                                    json(
                                            400,
                                            "{\"__type\":\"RepositoryPolicyNotFoundException\",\"message\":\"Repository policy does not exist\"}")));
        } else {
            s.stubFor(
                    ecr("GetRepositoryPolicy")
                            .willReturn(
                                    json(
                                            200,
                                            Json.MAPPER
                                                    .createObjectNode()
                                                    .put("registryId", ACCOUNT)
                                                    .put("repositoryName", "payments-api")
                                                    .put("policyText", policyText)
                                                    .toString())));
        }
        s.stubFor(
                ecr("SetRepositoryPolicy")
                        .willReturn(json(200, "{\"registryId\":\"" + ACCOUNT + "\"}")));
        s.stubFor(
                ecr("DeleteRepositoryPolicy")
                        .willReturn(json(200, "{\"registryId\":\"" + ACCOUNT + "\"}")));
    }

    static void registryPolicy(WireMockServer s, String policyText) {
        s.stubFor(
                ecr("GetRegistryPolicy")
                        .willReturn(
                                json(
                                        200,
                                        Json.MAPPER
                                                .createObjectNode()
                                                .put("registryId", ACCOUNT)
                                                .put("policyText", policyText)
                                                .toString())));
        s.stubFor(
                ecr("PutRegistryPolicy")
                        .willReturn(json(200, "{\"registryId\":\"" + ACCOUNT + "\"}")));
    }

    static final String IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/";

    /**
     * GetRolePolicy / GetUserPolicy answer NoSuchEntity (or the document, URL-encoded as IAM does);
     * Put/Delete succeed.
     */
    static void inlinePolicies(WireMockServer s, String existingDocument) {
        for (String kind : List.of("Role", "User")) {
            if (existingDocument == null) {
                s.stubFor(
                        query("Get" + kind + "Policy")
                                .willReturn(
                                        xml(
                                                404,
                                                "<ErrorResponse xmlns=\""
                                                        + IAM_NS
                                                        + "\"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The policy cannot be found."
                                                        + "</Message></Error><RequestId>4a1f2b3c-0000-4000-8000-000000000001</RequestId></ErrorResponse>")));
            } else {
                s.stubFor(
                        query("Get" + kind + "Policy")
                                .willReturn(
                                        xml(
                                                200,
                                                "<Get"
                                                        + kind
                                                        + "PolicyResponse xmlns=\""
                                                        + IAM_NS
                                                        + "\"><Get"
                                                        + kind
                                                        + "PolicyResult><PolicyName>p</PolicyName><PolicyDocument>"
                                                        + URLEncoder.encode(
                                                                        existingDocument,
                                                                        StandardCharsets.UTF_8)
                                                                .replace("+", "%20")
                                                        + "</PolicyDocument></Get"
                                                        + kind
                                                        + "PolicyResult><ResponseMetadata><RequestId>r</RequestId>"
                                                        + "</ResponseMetadata></Get"
                                                        + kind
                                                        + "PolicyResponse>")));
            }
            for (String op : List.of("Put", "Delete")) {
                s.stubFor(
                        query(op + kind + "Policy")
                                .willReturn(
                                        xml(
                                                200,
                                                "<"
                                                        + op
                                                        + kind
                                                        + "PolicyResponse xmlns=\""
                                                        + IAM_NS
                                                        + "\"><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></"
                                                        + op
                                                        + kind
                                                        + "PolicyResponse>")));
            }
        }
    }

    /** The deny policy infra/ creates in the fixture account. */
    static final String DENY_POLICY_ARN =
            "arn:aws:iam::" + ACCOUNT + ":policy/layerwatch/LayerWatchDenyLayerDownload";

    /**
     * ListAttachedRolePolicies / ListAttachedUserPolicies answer with {@code pages} of policy ARNs
     * (each page but the last truncated, the next asked for with its Marker); Attach and Detach
     * succeed.
     */
    static void attachedPolicies(WireMockServer s, List<List<String>> pages) {
        for (String kind : List.of("Role", "User")) {
            String op = "ListAttached" + kind + "Policies";
            for (int i = 0; i < pages.size(); i++) {
                StringBuilder members = new StringBuilder();
                for (String arn : pages.get(i)) {
                    members.append("<member><PolicyName>")
                            .append(arn.substring(arn.lastIndexOf('/') + 1))
                            .append("</PolicyName><PolicyArn>")
                            .append(arn)
                            .append("</PolicyArn></member>");
                }
                boolean last = i == pages.size() - 1;
                MappingBuilder request =
                        i == 0
                                ? query(op).withRequestBody(notContaining("Marker="))
                                : query(op).withRequestBody(containing("Marker=page" + i));
                s.stubFor(
                        request.willReturn(
                                xml(
                                        200,
                                        "<"
                                                + op
                                                + "Response xmlns=\""
                                                + IAM_NS
                                                + "\"><"
                                                + op
                                                + "Result>"
                                                + "<AttachedPolicies>"
                                                + members
                                                + "</AttachedPolicies><IsTruncated>"
                                                + !last
                                                + "</IsTruncated>"
                                                + (last
                                                        ? ""
                                                        : "<Marker>page" + (i + 1) + "</Marker>")
                                                + "</"
                                                + op
                                                + "Result><ResponseMetadata>"
                                                + "<RequestId>r</RequestId></ResponseMetadata></"
                                                + op
                                                + "Response>")));
            }
            for (String write : List.of("Attach", "Detach")) {
                s.stubFor(
                        query(write + kind + "Policy")
                                .willReturn(
                                        xml(
                                                200,
                                                "<"
                                                        + write
                                                        + kind
                                                        + "PolicyResponse xmlns=\""
                                                        + IAM_NS
                                                        + "\"><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></"
                                                        + write
                                                        + kind
                                                        + "PolicyResponse>")));
            }
        }
    }

    /** One page of attached policies. */
    static void attachedPolicies(WireMockServer s, String... arns) {
        attachedPolicies(s, List.of(List.of(arns)));
    }

    static final String ASSUMED_KEY = "ASIAASSUMEDROLEKEY01";

    static void assumeRole(WireMockServer s) {
        s.stubFor(
                query("AssumeRole")
                        .willReturn(
                                xml(
                                        200,
                                        """
                <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                  <AssumeRoleResult>
                    <Credentials>
                      <AccessKeyId>%s</AccessKeyId>
                      <SecretAccessKey>assumedSecretKeyForTheTestOnly0000000000</SecretAccessKey>
                      <SessionToken>FwoGZXIvYXdzEXAMPLETOKEN</SessionToken>
                      <Expiration>2099-01-01T00:00:00Z</Expiration>
                    </Credentials>
                    <AssumedRoleUser><AssumedRoleId>AROAEXAMPLE:layerwatch-remediation</AssumedRoleId>
                      <Arn>arn:aws:sts::444455556666:assumed-role/LayerWatchResponder/layerwatch-remediation</Arn>
                    </AssumedRoleUser>
                  </AssumeRoleResult>
                  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
                </AssumeRoleResponse>"""
                                                .formatted(ASSUMED_KEY))));
    }

    // ---- reading what was sent
    // ----------------------------------------------------------------------------------

    public static List<LoggedRequest> ecrCalls(WireMockServer s, String operation) {
        return s.findAll(
                postRequestedFor(urlEqualTo("/"))
                        .withHeader("X-Amz-Target", equalTo(ECR_TARGET + operation)));
    }

    static List<LoggedRequest> queryCalls(WireMockServer s, String action) {
        return s.findAll(
                postRequestedFor(urlEqualTo("/"))
                        .withRequestBody(containing("Action=" + action + "&")));
    }

    public static JsonNode body(LoggedRequest r) {
        return Json.tree(r.getBodyAsString());
    }

    /** The policyText of a SetRepositoryPolicy / PutRegistryPolicy request, parsed. */
    static JsonNode policySent(LoggedRequest r) {
        return Json.tree(body(r).path("policyText").asText());
    }

    static Map<String, String> form(LoggedRequest r) {
        Map<String, String> form = new TreeMap<>();
        for (String pair : r.getBodyAsString().split("&")) {
            int eq = pair.indexOf('=');
            form.put(
                    URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return form;
    }
}
