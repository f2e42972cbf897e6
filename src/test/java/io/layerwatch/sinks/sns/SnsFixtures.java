package io.layerwatch.sinks.sns;

import static io.layerwatch.testing.CloudTrailRecords.ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.record;

import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import io.layerwatch.rules.UntrustedNetwork;
import io.layerwatch.testing.CloudTrailRecords;
import java.time.Instant;

/** The topics and findings the SNS tests publish. */
final class SnsFixtures {
    static final String TOPIC = "arn:aws:sns:us-east-1:" + ACCOUNT + ":layerwatch-findings";
    static final String FIFO_TOPIC =
            "arn:aws:sns:us-east-1:" + ACCOUNT + ":layerwatch-findings.fifo";
    static final String REPORTS = "https://layerwatch.example.com/findings";
    static final String EXAMPLE = "examples/sns-email-example.txt";
    static final RulesConfig TRUSTING =
            RulesConfigLoader.fromYaml(
                    """
            allowlist:
              trustedCidrs: [10.0.0.0/8]
              trustedVpcEndpoints: [vpce-0a1b2c3d4e5f60718]
            """,
                    "trusting.yaml");
    static final String DOCKER =
            "docker/24.0.7 go/go1.20.10 git-commit/311b9ff kernel/6.1.0 os/linux arch/amd64"
                    + " UpstreamClient(Docker-Client/24.0.7 \\(linux\\))";

    /**
     * untrusted-network: the developer role's session alice pulls a payments-api layer from the
     * internet.
     */
    static CloudTrailRecords.Builder pull(String eventId) {
        return record("GetDownloadUrlForLayer")
                .assumedRole(ACCOUNT, "developer", "alice")
                .repositoryName("payments-api")
                .param("registryId", ACCOUNT)
                .param(
                        "layerDigest",
                        "sha256:2840cf324a4e53fea5adc597d94b38d72840cf324a4e53fea5adc597d94b38d7")
                .sourceIp("198.51.100.7")
                .userAgent(DOCKER)
                .eventId(eventId)
                .time(Instant.parse("2026-03-02T09:14:05Z"));
    }

    static Finding untrusted(CloudTrailRecords.Builder event) {
        return new UntrustedNetwork()
                .evaluate(event.event(), TRUSTING.rule(UntrustedNetwork.ID))
                .orElseThrow();
    }

    static Finding example() {
        return untrusted(pull("6f1c2a9e-4b7d-4c1e-9a53-0d2b8e7f6a41"));
    }

    /** A finding of any rule, built like the rules build them. */
    static FindingBuilder finding(String ruleId, CloudTrailRecords.Builder... events) {
        FindingBuilder b =
                FindingBuilder.of(RulesConfigLoader.builtIn().rule(ruleId))
                        .title("Test finding of " + ruleId)
                        .description("Fired in a test.");
        for (CloudTrailRecords.Builder e : events) {
            b.event(e.event());
        }
        return b;
    }

    private SnsFixtures() {}
}
