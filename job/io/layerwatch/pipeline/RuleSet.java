package io.layerwatch.pipeline;

import io.layerwatch.config.Allowlist;
import io.layerwatch.config.IncidentSettings;
import io.layerwatch.config.ParamType;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RuleSettings;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.patterns.AccessDeniedBurst;
import io.layerwatch.patterns.CepRule;
import io.layerwatch.patterns.CredentialNetworkHop;
import io.layerwatch.patterns.GuardrailWeakenedThenPush;
import io.layerwatch.patterns.LayerDownloadBurst;
import io.layerwatch.patterns.MassDeletion;
import io.layerwatch.patterns.PolicyChangeAfterScan;
import io.layerwatch.patterns.RepositoryEnumeration;
import io.layerwatch.rules.EndgameIoc;
import io.layerwatch.rules.LayerDownload;
import io.layerwatch.rules.PolicyDeleted;
import io.layerwatch.rules.PullThroughCacheUntrusted;
import io.layerwatch.rules.RegistryNotAssessed;
import io.layerwatch.rules.ReplicationToForeignAccount;
import io.layerwatch.rules.RepositoryExposed;
import io.layerwatch.rules.SingleEventRule;
import io.layerwatch.rules.UntrustedNetwork;
import io.layerwatch.rules.VulnerableImageScan;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every rule implementation, by kind. first-seen-puller, unexpected-image-push and
 * image-tag-overwrite are keyed functions of their own ({@link io.layerwatch.rules.OrderedRule},
 * wired in LayerWatchPipeline).
 */
public final class RuleSet {
    private RuleSet() {}

    public static List<SingleEventRule> singleEventRules() {
        return List.of(
                new LayerDownload(),
                new UntrustedNetwork(),
                new RepositoryExposed(),
                new EndgameIoc(),
                new PolicyDeleted(),
                new VulnerableImageScan(),
                new ReplicationToForeignAccount(),
                new RegistryNotAssessed(),
                new PullThroughCacheUntrusted());
    }

    /**
     * The settings fixed in the job graph at startup (CEP pattern shapes, the rules wired at all,
     * fold windows, incidents): changing them live is reported as needing a restart.
     */
    public static Map<String, String> patternShape(RulesConfig config) {
        Map<String, String> shape = new TreeMap<>();
        for (CepRule rule : cepRules()) {
            RuleSettings s = config.rule(rule.id());
            shape.put(rule.id() + ".active", String.valueOf(rule.active(config)));
            s.params().forEach((k, v) -> shape.put(rule.id() + "." + k, ParamType.format(v)));
        }
        RuleSettings scan = config.rule(RuleCatalog.VULNERABLE_IMAGE_SCAN);
        shape.put(
                "policy-change-after-scan.minCritical", String.valueOf(scan.count("minCritical")));
        shape.put("policy-change-after-scan.minHigh", String.valueOf(scan.count("minHigh")));
        Allowlist hop = config.rule(RuleCatalog.CREDENTIAL_NETWORK_HOP).allowlist();
        shape.put(
                "credential-network-hop.trustedNetworks",
                hop.trustedCidrs() + " " + hop.trustedVpcEndpoints());
        shape.put("eventTime.maxOutOfOrderness", ParamType.format(config.maxOutOfOrderness()));
        for (RuleCatalog.Rule rule : RuleCatalog.rules()) {
            if (rule.folds()) {
                shape.put(
                        rule.id() + ".foldWindow",
                        ParamType.format(config.rule(rule.id()).foldWindow()));
            }
        }
        String sequence = RuleCatalog.ATTACK_SEQUENCE;
        shape.put(sequence + ".enabled", String.valueOf(config.enabled(sequence)));
        shape.put(sequence + ".severity", String.valueOf(config.rule(sequence).severity()));
        shape.put(IncidentSettings.SECTION, String.valueOf(config.incident()));
        return shape;
    }

    public static List<CepRule> cepRules() {
        return List.of(
                new LayerDownloadBurst(),
                new AccessDeniedBurst(),
                new CredentialNetworkHop(),
                new PolicyChangeAfterScan(),
                new RepositoryEnumeration(),
                new GuardrailWeakenedThenPush(),
                new MassDeletion());
    }
}
