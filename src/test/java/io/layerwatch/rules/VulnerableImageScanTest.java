package io.layerwatch.rules;

import static io.layerwatch.rules.SingleEventRuleFixtures.DEFAULTS;
import static io.layerwatch.rules.SingleEventRuleFixtures.eval;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.finding.Finding;
import io.layerwatch.testing.CloudTrailRecords;
import org.junit.jupiter.api.Test;

/** vulnerable-image-scan: completed basic and enhanced scans over the thresholds. */
class VulnerableImageScanTest {

    static String scan(String detailType, String status, int critical, int high, String repo) {
        return """
                {"version":"0","id":"scan-%s-%d-%d","detail-type":"%s","source":"aws.ecr","account":"111122223333",
                 "time":"2024-05-01T12:00:00Z","region":"us-east-1","resources":[],
                 "detail":{"scan-status":"%s","repository-name":"%s",
                   "finding-severity-counts":{"CRITICAL":%d,"HIGH":%d},"image-digest":"sha256:d1","image-tags":["v1"]}}
                """
                .formatted(status, critical, high, detailType, status, repo, critical, high);
    }

    @Test
    void thresholdsAreOred() {
        VulnerableImageScan rule = new VulnerableImageScan();
        assertThat(
                        eval(
                                rule,
                                DEFAULTS,
                                CloudTrailRecords.decode(
                                        scan("ECR Image Scan", "COMPLETE", 1, 0, "app"))))
                .isPresent();
        assertThat(
                        eval(
                                rule,
                                DEFAULTS,
                                CloudTrailRecords.decode(
                                        scan("ECR Image Scan", "COMPLETE", 0, 5, "app"))))
                .isPresent();
        assertThat(
                        eval(
                                rule,
                                DEFAULTS,
                                CloudTrailRecords.decode(
                                        scan("ECR Image Scan", "COMPLETE", 0, 4, "app"))))
                .isEmpty();
    }

    @Test
    void enhancedScansWithRepositoryArnAreUnderstood() {
        Finding f =
                eval(
                                new VulnerableImageScan(),
                                DEFAULTS,
                                CloudTrailRecords.decode(
                                        scan(
                                                "Inspector2 Scan",
                                                "INITIAL_SCAN_COMPLETE",
                                                2,
                                                9,
                                                "arn:aws:ecr:us-east-1:111122223333:repository/team/app")))
                        .orElseThrow();
        assertThat(f.repository().name()).isEqualTo("team/app");
        assertThat(f.details())
                .containsEntry("critical", 2)
                .containsEntry("high", 9)
                .containsEntry("imageTags", "v1");
    }

    @Test
    void failedScansProduceNothing() {
        assertThat(
                        eval(
                                new VulnerableImageScan(),
                                DEFAULTS,
                                CloudTrailRecords.decode(
                                        scan("ECR Image Scan", "FAILED", 9, 9, "app"))))
                .isEmpty();
    }

    @Test
    void aDisabledThresholdProducesNothing() {
        RulesConfig highOff =
                RulesConfigLoader.fromYaml(
                        "rules:\n  vulnerable-image-scan: {minHigh: 0}\n", "h.yaml");
        assertThat(
                        eval(
                                new VulnerableImageScan(),
                                highOff,
                                CloudTrailRecords.decode(
                                        scan("ECR Image Scan", "COMPLETE", 0, 50, "app"))))
                .isEmpty();
    }
}
