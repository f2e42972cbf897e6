package io.layerwatch.config;

import static io.layerwatch.config.ParamType.COUNT;
import static io.layerwatch.config.ParamType.DURATION;
import static io.layerwatch.config.ParamType.SEVERITY;
import static io.layerwatch.config.ParamType.STRING_LIST;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every rule id and the parameters its config section may hold (besides enabled, severity and
 * allowlist). Rule ids are a public contract: findings, configs and scripts use them.
 */
public final class RuleCatalog {

    public static final String LAYER_DOWNLOAD = "layer-download";
    public static final String LAYER_DOWNLOAD_BURST = "layer-download-burst";
    public static final String UNTRUSTED_NETWORK = "untrusted-network";
    public static final String CREDENTIAL_NETWORK_HOP = "credential-network-hop";
    public static final String REPOSITORY_EXPOSED = "repository-exposed";
    public static final String ENDGAME_IOC = "endgame-ioc";
    public static final String POLICY_DELETED = "policy-deleted";
    public static final String VULNERABLE_IMAGE_SCAN = "vulnerable-image-scan";
    public static final String POLICY_CHANGE_AFTER_SCAN = "policy-change-after-scan";
    public static final String FIRST_SEEN_PULLER = "first-seen-puller";
    public static final String REPLICATION_TO_FOREIGN_ACCOUNT = "replication-to-foreign-account";
    public static final String ACCESS_DENIED_BURST = "access-denied-burst";
    public static final String REGISTRY_NOT_ASSESSED = "registry-not-assessed";

    private static final Map<String, Map<String, ParamType>> PARAMS = new LinkedHashMap<>();

    static {
        rule(LAYER_DOWNLOAD);
        rule(LAYER_DOWNLOAD_BURST, "minDistinctLayers", COUNT, "window", DURATION);
        rule(UNTRUSTED_NETWORK, "pullActions", STRING_LIST);
        rule(CREDENTIAL_NETWORK_HOP, "window", DURATION);
        rule(REPOSITORY_EXPOSED, "crossAccountSeverity", SEVERITY, "servicePrincipalSeverity", SEVERITY);
        rule(ENDGAME_IOC, "sids", STRING_LIST, "userAgentMarkers", STRING_LIST);
        rule(POLICY_DELETED);
        rule(VULNERABLE_IMAGE_SCAN, "minCritical", COUNT, "minHigh", COUNT);
        rule(POLICY_CHANGE_AFTER_SCAN, "window", DURATION);
        rule(FIRST_SEEN_PULLER, "learningPeriod", DURATION, "forgetAfter", DURATION);
        rule(REPLICATION_TO_FOREIGN_ACCOUNT);
        rule(ACCESS_DENIED_BURST, "minCount", COUNT, "window", DURATION);
        rule(REGISTRY_NOT_ASSESSED, "registries", STRING_LIST, "enrolled", STRING_LIST, "activityEvents",
                STRING_LIST);
    }

    /** Rules whose findings may be emitted again, updated, under the same id (CEP episodes, registries). */
    private static final java.util.Set<String> UPDATING = java.util.Set.of(LAYER_DOWNLOAD_BURST, CREDENTIAL_NETWORK_HOP,
            POLICY_CHANGE_AFTER_SCAN, ACCESS_DENIED_BURST, REGISTRY_NOT_ASSESSED);

    private RuleCatalog() {}

    private static void rule(String id, Object... nameTypePairs) {
        Map<String, ParamType> params = new LinkedHashMap<>();
        for (int i = 0; i < nameTypePairs.length; i += 2) {
            params.put((String) nameTypePairs[i], (ParamType) nameTypePairs[i + 1]);
        }
        PARAMS.put(id, Collections.unmodifiableMap(params));
    }

    /** Rule ids in documentation order. */
    public static Iterable<String> ids() {
        return PARAMS.keySet();
    }

    /**
     * True when a finding of this rule may later be emitted again with the same id and new contents (an
     * episode that goes on, a registry in use again); also for ids outside the catalog. Other rules emit
     * each finding once (the same input record twice gives the same finding twice).
     */
    public static boolean updatesFindings(String id) {
        return UPDATING.contains(id) || !exists(id);
    }

    public static boolean exists(String id) {
        return PARAMS.containsKey(id);
    }

    public static Map<String, ParamType> params(String id) {
        return PARAMS.get(id);
    }
}
