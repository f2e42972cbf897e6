package io.layerwatch.patterns;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RuleSettings;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import io.layerwatch.rules.VulnerableImageScan;
import io.layerwatch.util.Json;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;

/**
 * {@code policy-change-after-scan}: a vulnerable scan of a repository followed within the window by
 * a change that widens access or hides the image: a repository policy set or deleted, scan-on-push
 * turned off, tag mutability changed, images deleted, lifecycle policy changed. Registry-wide
 * changes count for every repository of the registry with a vulnerable scan in the window. Keyed by
 * registry; uses the thresholds of vulnerable-image-scan even when that rule's output is disabled.
 */
public final class PolicyChangeAfterScan implements CepRule {
    private static final long serialVersionUID = 1L;
    public static final String ID = RuleCatalog.POLICY_CHANGE_AFTER_SCAN;

    static final Set<String> REPOSITORY_CHANGES =
            Set.of(
                    "SetRepositoryPolicy",
                    "DeleteRepositoryPolicy",
                    "PutImageScanningConfiguration",
                    "PutImageTagMutability",
                    "BatchDeleteImage",
                    "PutLifecyclePolicy",
                    "DeleteLifecyclePolicy");
    static final Set<String> REGISTRY_CHANGES =
            Set.of("PutRegistryPolicy", "DeleteRegistryPolicy", "PutRegistryScanningConfiguration");

    @Override
    public String id() {
        return ID;
    }

    static boolean vulnerableScan(EcrEvent e, RulesConfig config) {
        RuleSettings scan = config.rule(RuleCatalog.VULNERABLE_IMAGE_SCAN);
        return VulnerableImageScan.vulnerable(e, scan.count("minCritical"), scan.count("minHigh"));
    }

    static boolean change(EcrEvent e) {
        if (!e.isEcrApiCall() || e.failed()) {
            return false;
        }
        if ("PutImageScanningConfiguration".equals(e.eventName())) {
            JsonNode raw = Json.tree(e.raw());
            return raw != null
                    && raw.path("requestParameters")
                            .path("imageScanningConfiguration")
                            .path("scanOnPush")
                            .asText("")
                            .equals("false");
        }
        return REPOSITORY_CHANGES.contains(e.eventName())
                || REGISTRY_CHANGES.contains(e.eventName());
    }

    @Override
    public boolean relevant(EcrEvent e, RulesConfig config) {
        return vulnerableScan(e, config) || change(e);
    }

    @Override
    public String key(EcrEvent e) {
        return e.registryKey();
    }

    @Override
    public Pattern<EcrEvent, ?> pattern(RulesConfig config) {
        return Pattern.<EcrEvent>begin("scan")
                .where(SimpleCondition.of(e -> vulnerableScan(e, config)))
                .followedByAny("change")
                .where(new FollowedByAny.PairsWithAny("scan", PolicyChangeAfterScan::pairs))
                .within(config.rule(ID).duration("window"));
    }

    @Override
    public MatchLogic matchLogic(RulesConfig config) {
        return new FollowedByAny(
                "scan",
                e -> vulnerableScan(e, config),
                "change",
                PolicyChangeAfterScan::pairs,
                config.rule(ID).duration("window").toMillis());
    }

    /** A change of the scanned repository or its registry. */
    static boolean pairs(EcrEvent scan, EcrEvent e) {
        return change(e) && sameRepositoryOrRegistry(scan, e);
    }

    /** A change to the scanned repository, or to its whole registry. */
    static boolean sameRepositoryOrRegistry(EcrEvent scan, EcrEvent change) {
        return REGISTRY_CHANGES.contains(change.eventName())
                || (change.repositoryName() != null
                        && change.repositoryName().equals(scan.repositoryName()));
    }

    @Override
    public Finding toFinding(Map<String, List<EcrEvent>> match, RuleSettings settings) {
        EcrEvent scan = match.get("scan").get(0);
        EcrEvent change = match.get("change").get(0);
        boolean registryWide = REGISTRY_CHANGES.contains(change.eventName());
        Map<String, Object> scanDetail = new LinkedHashMap<>();
        scanDetail.put("imageDigest", scan.imageDigest());
        scanDetail.put("imageTags", scan.imageTags());
        scanDetail.put("critical", scan.criticalCount());
        scanDetail.put("high", scan.highCount());
        scanDetail.put("scanTime", scan.time().toString());
        return FindingBuilder.of(settings)
                .event(scan)
                .event(change)
                .subject(change)
                .repositoryFrom(scan)
                .key(scan.repositoryKey() + "|" + change.eventId())
                .title(
                        change.eventName()
                                + " on "
                                + (registryWide ? "the registry of " : "")
                                + scan.repositoryName()
                                + " after a vulnerable scan")
                .description(
                        change.principal().arn()
                                + " called "
                                + change.eventName()
                                + (registryWide ? " on the registry" : "")
                                + " after the scan of "
                                + scan.repositoryName()
                                + "@"
                                + scan.imageDigest()
                                + " found "
                                + scan.criticalCount()
                                + " critical and "
                                + scan.highCount()
                                + " high vulnerabilities. Changes like this can expose or hide a known-vulnerable image.")
                .detail("change", change.eventName())
                .detail("changeEventId", change.eventId())
                .detail("changeScope", registryWide ? "registry" : "repository")
                .detail("scans", List.of(scanDetail))
                .build();
    }

    /** One finding per (repository, change): several vulnerable scans before it fold together. */
    @Override
    public Duration foldGap(RuleSettings settings) {
        return Duration.ZERO;
    }
}
