package io.layerwatch.generate;

import io.layerwatch.config.RuleCatalog;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The attack scenarios the generator injects: one per rule id (see {@link Attacks} for the
 * scripts).
 */
public enum Scenario {
    UNEXPECTED_LAYER_DOWNLOAD(
            "unexpected-layer-download",
            RuleCatalog.LAYER_DOWNLOAD,
            5,
            "a contractor's IAM user, not one of the expected workloads, pulls an image layer by layer"),
    REGISTRY_COPY_OUT(
            "registry-copy-out",
            RuleCatalog.LAYER_DOWNLOAD_BURST,
            12,
            "a CI-named role downloads 60+ distinct layers across the registry within minutes"),
    PULL_FROM_OUTSIDE(
            "pull-from-outside",
            RuleCatalog.UNTRUSTED_NETWORK,
            5,
            "an image pulled from an address outside the trusted networks, or by a foreign account's role"),
    STOLEN_SESSION_HOP(
            "stolen-session-hop",
            RuleCatalog.CREDENTIAL_NETWORK_HOP,
            50,
            "a role session used inside the VPC, then its access key from outside within the hour"),
    PUBLIC_REPOSITORY_POLICY(
            "public-repository-policy",
            RuleCatalog.REPOSITORY_EXPOSED,
            5,
            "SetRepositoryPolicy granting pulls to Principal \"*\""),
    ENDGAME_BACKDOOR(
            "endgame-backdoor",
            RuleCatalog.ENDGAME_IOC,
            5,
            "a leaked key writes Endgame's policy (Sids AllowCurrentAccount and Endgame, a foreign account) from outside"),
    REPOSITORY_POLICY_REMOVED(
            "repository-policy-removed",
            RuleCatalog.POLICY_DELETED,
            5,
            "DeleteRepositoryPolicy on a production repository"),
    VULNERABLE_IMAGE_PUSHED(
            "vulnerable-image-pushed",
            RuleCatalog.VULNERABLE_IMAGE_SCAN,
            10,
            "a vendor image with critical vulnerabilities pushed into a new repository; its scan-on-push result"),
    HIDE_VULNERABLE_IMAGE(
            "hide-vulnerable-image",
            RuleCatalog.POLICY_CHANGE_AFTER_SCAN,
            140,
            "after a vulnerable scan, scan-on-push turned off, the tag made mutable or the image deleted"),
    NEW_PULLER(
            "new-puller",
            RuleCatalog.FIRST_SEEN_PULLER,
            5,
            "a node role never seen before pulls a production repository after the learning phase"),
    REPLICATE_TO_FOREIGN_ACCOUNT(
            "replicate-to-foreign-account",
            RuleCatalog.REPLICATION_TO_FOREIGN_ACCOUNT,
            5,
            "PutReplicationConfiguration adding a registry outside the organization"),
    ACCESS_DENIED_PROBE(
            "access-denied-probe",
            RuleCatalog.ACCESS_DENIED_BURST,
            8,
            "a task role probes repositories it may not read: a dozen AccessDenied pulls in minutes"),
    UNASSESSED_REGISTRY(
            "unassessed-registry",
            RuleCatalog.REGISTRY_NOT_ASSESSED,
            10,
            "a team creates a repository and pushes an image in a region whose registry is not enrolled"),
    BACKDOOR_PUSH(
            "backdoor-push",
            RuleCatalog.UNEXPECTED_IMAGE_PUSH,
            5,
            "a leaked IAM user key re-tags an image into a production repository from outside, without a registry login"),
    RELEASE_TAG_MOVED(
            "release-tag-moved",
            RuleCatalog.IMAGE_TAG_OVERWRITE,
            30,
            "a release tag pushed by CI is pushed again minutes later with another image (a poisoned rebuild)"),
    REPOSITORY_SWEEP(
            "repository-sweep",
            RuleCatalog.REPOSITORY_ENUMERATION,
            10,
            "a leaked key lists images, policies and scan findings of 22+ repositories across the registries in minutes"),
    UNTRUSTED_UPSTREAM_CACHE(
            "untrusted-upstream-cache",
            RuleCatalog.PULL_THROUGH_CACHE_UNTRUSTED,
            5,
            "a pull through cache rule caching an unknown registry, or a foreign account's ECR registry"),
    GUARDRAIL_OFF_PUSH(
            "guardrail-off-push",
            RuleCatalog.GUARDRAIL_WEAKENED_THEN_PUSH,
            45,
            "scan-on-push turned off, tags made mutable or registry scanning set to manual, then an image pushed"),
    REGISTRY_WIPE(
            "registry-wipe",
            RuleCatalog.MASS_DELETION,
            15,
            "a leaked key deletes dozens of images or three repositories, or sets a lifecycle policy keeping one image"),
    STOLEN_WORKLOAD_CREDENTIALS(
            "stolen-workload-credentials",
            RuleCatalog.WORKLOAD_CREDENTIALS_OUTSIDE,
            50,
            "a Lambda function's or ECS task's role session, first used by its runtime inside AWS, lists and pulls"
                    + " images from a laptop"),
    ATTACK_CHAIN(
            "attack-chain",
            RuleCatalog.ATTACK_SEQUENCE,
            40,
            "a leaked key pulls an image from outside, makes that repository public and deletes another's policy:"
                    + " several rules, one incident");

    private final String id;
    private final String ruleId;
    private final Duration maxDuration;
    private final String description;

    Scenario(String id, String ruleId, int maxMinutes, String description) {
        this.id = id;
        this.ruleId = ruleId;
        this.maxDuration = Duration.ofMinutes(maxMinutes);
        this.description = description;
    }

    /** The scenario name (labels.jsonl "scenario", {@code --scenarios}). */
    public String id() {
        return id;
    }

    /** The rule the scenario must fire. */
    public String ruleId() {
        return ruleId;
    }

    /** An upper bound of the time from its first to its last event. */
    public Duration maxDuration() {
        return maxDuration;
    }

    public String description() {
        return description;
    }

    /**
     * {@code all}, {@code none}, or a comma-separated list of scenario names and rule ids.
     *
     * @throws IllegalArgumentException naming the unknown item and the known names
     */
    public static Set<Scenario> parse(String spec) {
        String s = spec == null ? "" : spec.trim();
        if (s.equalsIgnoreCase("all")) {
            return EnumSet.allOf(Scenario.class);
        }
        if (s.equalsIgnoreCase("none")) {
            return EnumSet.noneOf(Scenario.class);
        }
        Set<Scenario> out = EnumSet.noneOf(Scenario.class);
        for (String item : s.split(",", -1)) {
            String name = item.trim().toLowerCase(Locale.ROOT);
            Scenario found =
                    Arrays.stream(values())
                            .filter(v -> v.id.equals(name) || v.ruleId.equals(name))
                            .findFirst()
                            .orElseThrow(
                                    () ->
                                            new IllegalArgumentException(
                                                    "unknown scenario or rule id '"
                                                            + item.trim()
                                                            + "' (all, none, or any of: "
                                                            + Arrays.stream(values())
                                                                    .map(Scenario::id)
                                                                    .collect(
                                                                            Collectors.joining(
                                                                                    ", "))
                                                            + ", or their rule ids)"));
            out.add(found);
        }
        return out;
    }
}
