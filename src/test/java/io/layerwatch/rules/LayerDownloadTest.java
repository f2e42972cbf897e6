package io.layerwatch.rules;

import static io.layerwatch.rules.SingleEventRuleFixtures.DEFAULTS;
import static io.layerwatch.rules.SingleEventRuleFixtures.TRUSTING;
import static io.layerwatch.rules.SingleEventRuleFixtures.download;
import static io.layerwatch.rules.SingleEventRuleFixtures.eval;
import static io.layerwatch.testing.CloudTrailRecords.ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.Severity;
import io.layerwatch.finding.Finding;
import org.junit.jupiter.api.Test;

/** layer-download: a layer download, who made it, from where; what it ignores. */
class LayerDownloadTest {

    @Test
    void reportsWhoDownloadedWhichLayerFromWhere() {
        Finding f =
                eval(
                                new LayerDownload(),
                                DEFAULTS,
                                download("sha256:abc")
                                        .assumedRole(ACCOUNT, "app", "i-1")
                                        .sourceIp("198.51.100.7")
                                        .event())
                        .orElseThrow();
        assertThat(f.ruleId()).isEqualTo("layer-download");
        assertThat(f.severity()).isEqualTo(Severity.LOW);
        assertThat(f.principal().arn()).isEqualTo("arn:aws:iam::111122223333:role/app");
        assertThat(f.principal().sessionName()).isEqualTo("i-1");
        assertThat(f.repository().name()).isEqualTo("payments");
        assertThat(f.sourceIp()).isEqualTo("198.51.100.7");
        assertThat(f.details())
                .containsEntry("layerDigest", "sha256:abc")
                .containsEntry("identityType", "AssumedRole");
        assertThat(f.details().get("requestParameters").toString()).contains("sha256:abc");
        assertThat(f.evidence())
                .singleElement()
                .satisfies(
                        n ->
                                assertThat(n.path("eventName").asText())
                                        .isEqualTo("GetDownloadUrlForLayer"));
    }

    @Test
    void ignoresOtherCalls() {
        assertThat(
                        eval(
                                new LayerDownload(),
                                DEFAULTS,
                                record("BatchGetImage").repositoryName("p").event()))
                .isEmpty();
        assertThat(
                        eval(
                                new LayerDownload(),
                                DEFAULTS,
                                download("sha256:a").eventSource("s3.amazonaws.com").event()))
                .isEmpty();
    }

    @Test
    void ignoresFailedCalls() {
        assertThat(
                        eval(
                                new LayerDownload(),
                                DEFAULTS,
                                download("sha256:a").errorCode("AccessDenied").event()))
                .isEmpty();
    }

    @Test
    void ignoresAllowlistedPrincipals() {
        assertThat(
                        eval(
                                new LayerDownload(),
                                TRUSTING,
                                download("sha256:a").assumedRole(ACCOUNT, "ci-build", "b").event()))
                .isEmpty();
    }
}
