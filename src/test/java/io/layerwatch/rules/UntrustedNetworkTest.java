package io.layerwatch.rules;

import static io.layerwatch.rules.SingleEventRuleFixtures.DEFAULTS;
import static io.layerwatch.rules.SingleEventRuleFixtures.TRUSTING;
import static io.layerwatch.rules.SingleEventRuleFixtures.download;
import static io.layerwatch.rules.SingleEventRuleFixtures.eval;
import static io.layerwatch.testing.CloudTrailRecords.FOREIGN_ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.TRUSTED_ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.Severity;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import org.junit.jupiter.api.Test;

/** untrusted-network: pulls from outside the trusted networks or the organization. */
class UntrustedNetworkTest {

    @Test
    void outsideTrustedCidrsFires() {
        Finding f =
                eval(
                                new UntrustedNetwork(),
                                TRUSTING,
                                download("sha256:a").sourceIp("198.51.100.7").event())
                        .orElseThrow();
        assertThat(f.severity()).isEqualTo(Severity.HIGH);
        assertThat(f.details().get("reasons").toString())
                .contains("198.51.100.7 is outside the trusted networks");
    }

    @Test
    void trustedCidrOrVpcEndpointIsQuiet() {
        assertThat(
                        eval(
                                new UntrustedNetwork(),
                                TRUSTING,
                                download("a").sourceIp("10.2.3.4").event()))
                .isEmpty();
        assertThat(
                        eval(
                                new UntrustedNetwork(),
                                TRUSTING,
                                download("a")
                                        .sourceIp("198.51.100.7")
                                        .vpcEndpointId("vpce-0123456789abcdef0")
                                        .event()))
                .isEmpty();
        assertThat(
                        eval(
                                new UntrustedNetwork(),
                                TRUSTING,
                                download("a")
                                        .sourceIp("198.51.100.7")
                                        .vpcEndpointId("vpce-other")
                                        .event()))
                .isPresent();
    }

    @Test
    void foreignAccountFiresEvenWithoutTrustedNetworks() {
        EcrEvent foreign =
                record("BatchGetImage")
                        .repositoryName("payments")
                        .crossAccount(FOREIGN_ACCOUNT)
                        .event();
        Finding f = eval(new UntrustedNetwork(), DEFAULTS, foreign).orElseThrow();
        assertThat(f.details().get("reasons").toString())
                .contains("caller account 999988887777 is outside the organization");
        // Without trusted networks the network half is inactive: an own-account call from anywhere
        // is quiet.
        assertThat(
                        eval(
                                new UntrustedNetwork(),
                                DEFAULTS,
                                download("a").sourceIp("198.51.100.7").event()))
                .isEmpty();
        // A member account of the organization is trusted.
        assertThat(
                        eval(
                                new UntrustedNetwork(),
                                TRUSTING,
                                record("BatchGetImage")
                                        .repositoryName("p")
                                        .crossAccount(TRUSTED_ACCOUNT)
                                        .sourceIp("10.1.1.1")
                                        .event()))
                .isEmpty();
    }

    @Test
    void nonPullCallsAreIgnored() {
        assertThat(
                        eval(
                                new UntrustedNetwork(),
                                TRUSTING,
                                record("DescribeRepositories").sourceIp("198.51.100.7").event()))
                .isEmpty();
    }

    @Test
    void awsServicesAreIgnored() {
        assertThat(
                        eval(
                                new UntrustedNetwork(),
                                TRUSTING,
                                download("a")
                                        .awsService("replication.ecr.amazonaws.com")
                                        .sourceIp("replication.ecr.amazonaws.com")
                                        .event()))
                .isEmpty();
    }
}
