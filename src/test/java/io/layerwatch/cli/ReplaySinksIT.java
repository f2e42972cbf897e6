package io.layerwatch.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.testing.FakeAws;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** replay --sink delivers for real (SDK -> HTTP), --dry-run only prints. */
class ReplaySinksIT {

    @RegisterExtension static final FakeAws AWS = new FakeAws();

    @TempDir Path dir;

    Path trail() throws Exception {
        Path input = dir.resolve("trail.jsonl");
        Files.writeString(
                input,
                CloudTrailRecords.record("DeleteRepositoryPolicy")
                                .repositoryName("payments")
                                .eventId("evt-del")
                                .json()
                        + "\n");
        return input;
    }

    Path rules() throws Exception {
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(
                rules,
                "sinks:\n  aws: {region: us-east-1, endpoint: \""
                        + AWS.endpoint()
                        + "\"}\n"
                        + "  sns:\n    policy: {minSeverity: LOW}\n");
        return rules;
    }

    @Test
    void snsSinkFromTheCommandLinePublishesTheFinding() throws Exception {
        AWS.server()
                .stubFor(
                        post("/")
                                .willReturn(
                                        aResponse()
                                                .withStatus(200)
                                                .withHeader("Content-Type", "text/xml")
                                                .withBody(
                                                        "<PublishBatchResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><PublishBatchResult>"
                                                                + "<Successful><member><Id>0</Id><MessageId>m-1</MessageId></member></Successful><Failed/>"
                                                                + "</PublishBatchResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>"
                                                                + "</PublishBatchResponse>")));
        CliTest.Run r =
                CliTest.run(
                        "replay",
                        "--rules",
                        rules().toString(),
                        "--sink",
                        "sns:arn:aws:sns:us-east-1:111122223333:alerts",
                        "--out",
                        dir.resolve("out").toString(),
                        trail().toString());

        assertThat(r.code()).as(r.err()).isZero();
        AWS.server()
                .verify(
                        postRequestedFor(urlEqualTo("/"))
                                .withRequestBody(containing("Action=PublishBatch"))
                                .withRequestBody(
                                        containing(
                                                "TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A111122223333%3Aalerts"))
                                .withRequestBody(containing("policy-deleted")));
        assertThat(Files.readAllLines(dir.resolve("out/findings.jsonl"))).hasSize(1);
    }

    @Test
    void dryRunPrintsInsteadOfSending() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        CliTest.Run r;
        try {
            r =
                    CliTest.run(
                            "replay",
                            "--rules",
                            rules().toString(),
                            "--sink",
                            "securityhub",
                            "--dry-run",
                            "--out",
                            dir.resolve("out").toString(),
                            trail().toString());
        } finally {
            System.setOut(original);
        }
        assertThat(r.code()).as(r.err()).isZero();
        String printed = captured.toString(StandardCharsets.UTF_8);
        assertThat(printed)
                .contains("[dry-run securityhub] {")
                .contains("\"SchemaVersion\":\"2018-10-08\"")
                .contains("policy-deleted");
        assertThat(AWS.server().getAllServeEvents()).isEmpty();
    }

    @Test
    void unknownSinkIsAOneLineError() throws Exception {
        CliTest.Run r =
                CliTest.run(
                        "replay", "--sink", "splunk", "--out", dir.toString(), trail().toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .contains(
                        "--sink splunk: unknown sink (one of jsonl, sns, securityhub, ocsf, webhook");
    }
}
