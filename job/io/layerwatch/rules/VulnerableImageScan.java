package io.layerwatch.rules;

import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RuleSettings;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.event.EventKind;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import java.util.Optional;

/**
 * {@code vulnerable-image-scan}: a completed image scan (ECR basic or Inspector enhanced) with
 * CRITICAL or HIGH counts at or above their thresholds (OR-ed; a threshold of 0 is off).
 */
public final class VulnerableImageScan implements SingleEventRule {
    public static final String ID = RuleCatalog.VULNERABLE_IMAGE_SCAN;

    @Override
    public String id() {
        return ID;
    }

    /** A completed scan; FAILED or in-progress scans carry no verdict. */
    public static boolean completed(EcrEvent e) {
        return e.kind() == EventKind.IMAGE_SCAN
                && ("COMPLETE".equals(e.scanStatus())
                        || "INITIAL_SCAN_COMPLETE".equals(e.scanStatus()));
    }

    /** The thresholds, shared with policy-change-after-scan. */
    public static boolean vulnerable(EcrEvent e, int minCritical, int minHigh) {
        return completed(e)
                && ((minCritical > 0 && e.criticalCount() >= minCritical)
                        || (minHigh > 0 && e.highCount() >= minHigh));
    }

    @Override
    public boolean applies(EcrEvent e, RuleSettings settings) {
        return vulnerable(e, settings.count("minCritical"), settings.count("minHigh"));
    }

    @Override
    public Optional<Finding> evaluate(EcrEvent e, RuleSettings settings) {
        if (!applies(e, settings)) {
            return Optional.empty();
        }
        return Optional.of(
                FindingBuilder.of(settings)
                        .event(e)
                        .title(
                                "Vulnerable image in "
                                        + e.repositoryName()
                                        + ": "
                                        + e.criticalCount()
                                        + " critical, "
                                        + e.highCount()
                                        + " high")
                        .description(
                                "The "
                                        + ("Inspector2 Scan".equals(e.eventName())
                                                ? "enhanced"
                                                : "basic")
                                        + " scan of "
                                        + e.repositoryName()
                                        + "@"
                                        + e.imageDigest()
                                        + (e.imageTags() == null ? "" : " (" + e.imageTags() + ")")
                                        + " found "
                                        + e.criticalCount()
                                        + " CRITICAL and "
                                        + e.highCount()
                                        + " HIGH vulnerabilities.")
                        .key(e.repositoryKey())
                        .detail("imageDigest", e.imageDigest())
                        .detail("imageTags", e.imageTags())
                        .detail("critical", e.criticalCount())
                        .detail("high", e.highCount())
                        .detail("scanType", e.eventName())
                        .build());
    }
}
