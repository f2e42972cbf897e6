package io.layerwatch.config;

import static io.layerwatch.config.ParamType.BOOLEAN;
import static io.layerwatch.config.ParamType.COUNT;
import static io.layerwatch.config.ParamType.DURATION;
import static io.layerwatch.config.ParamType.DURATION_OR_ZERO;
import static io.layerwatch.config.ParamType.SEVERITY;
import static io.layerwatch.config.ParamType.STRING_LIST;
import static io.layerwatch.config.ParamType.TAG_GLOB_LIST;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every rule and what is known about it besides its code and its YAML defaults: the one place the
 * sinks, the report, the CLI and the docs read rule metadata from. Rule ids are a public contract:
 * findings, configs and scripts use them.
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
    public static final String UNEXPECTED_IMAGE_PUSH = "unexpected-image-push";
    public static final String IMAGE_TAG_OVERWRITE = "image-tag-overwrite";
    public static final String REPOSITORY_ENUMERATION = "repository-enumeration";
    public static final String PULL_THROUGH_CACHE_UNTRUSTED = "pull-through-cache-untrusted";
    public static final String GUARDRAIL_WEAKENED_THEN_PUSH = "guardrail-weakened-then-push";
    public static final String MASS_DELETION = "mass-deletion";
    public static final String WORKLOAD_CREDENTIALS_OUTSIDE = "workload-credentials-outside";

    /**
     * Not a detector: the incident that links other rules' findings by one actor
     * (patterns.AttackSequence).
     */
    public static final String ATTACK_SEQUENCE = "attack-sequence";

    /**
     * The parameter of the rules whose findings come one per event: repeats (same rule, principal,
     * repository and source address) within it of each other are one finding; 0 keeps one finding
     * per event.
     */
    public static final String FOLD_WINDOW = "foldWindow";

    /**
     * What is shown for findings of ids outside the catalog (remediation-failed, other products').
     */
    public static final String DEFAULT_RECOMMENDATION =
            "Review the evidence events in CloudTrail and confirm the activity was expected.";

    /**
     * One rule.
     *
     * @param defaultSeverity the severity of rules/layerwatch-rules.yaml (a test keeps the two
     *     equal)
     * @param params the parameters its config section may hold besides enabled, severity and
     *     allowlist
     * @param attack the ATT&CK techniques its findings are evidence of
     * @param asffTypes ASFF Types besides those its techniques imply (Effects, Unusual Behaviors,
     *     checks)
     * @param compliance related NIST 800-53 r5 / PCI DSS v4.0.1 requirements (the ids Security
     *     Hub's own controls use)
     * @param recommendation what to do first, for every sink that tells people
     * @param recommendationUrl documentation behind the recommendation
     * @param failedCheck a finding is a failed check of a resource's configuration (ASFF Compliance
     *     FAILED)
     * @param updatesFindings a finding may be emitted again, updated, under the same id (episodes,
     *     registries)
     * @param story what its finding says the actor did, as a step of an incident's story: {repo},
     *     {ip} and {n} stand for the repositories, source addresses and number of events; null for
     *     findings that are not an actor's doing (scan results, registry posture), which never join
     *     an incident
     */
    public record Rule(
            String id,
            Severity defaultSeverity,
            Map<String, ParamType> params,
            List<AttackTechnique> attack,
            List<String> asffTypes,
            List<String> compliance,
            String recommendation,
            String recommendationUrl,
            boolean failedCheck,
            boolean updatesFindings,
            String story) {

        /** The rule folds repeats of its findings ({@link #FOLD_WINDOW}). */
        public boolean folds() {
            return params.containsKey(FOLD_WINDOW);
        }
    }

    private static final String INITIAL_ACCESS = "TA0001 Initial Access";
    private static final String PERSISTENCE = "TA0003 Persistence";
    private static final String DEFENSE_EVASION = "TA0005 Defense Evasion";
    private static final String CREDENTIAL_ACCESS = "TA0006 Credential Access";
    private static final String DISCOVERY = "TA0007 Discovery";
    private static final String COLLECTION = "TA0009 Collection";
    private static final String EXFILTRATION = "TA0010 Exfiltration";
    private static final String IMPACT = "TA0040 Impact";

    private static final AttackTechnique DATA_FROM_CLOUD_STORAGE =
            technique("T1530", "Data from Cloud Storage", COLLECTION);
    private static final AttackTechnique TRANSFER_TO_CLOUD_ACCOUNT =
            technique("T1537", "Transfer Data to Cloud Account", EXFILTRATION);
    private static final AttackTechnique CLOUD_ACCOUNTS =
            technique("T1078.004", "Valid Accounts: Cloud Accounts", INITIAL_ACCESS);
    private static final AttackTechnique CLOUD_INSTANCE_METADATA_API =
            technique(
                    "T1552.005",
                    "Unsecured Credentials: Cloud Instance Metadata API",
                    CREDENTIAL_ACCESS);
    private static final AttackTechnique ACCOUNT_MANIPULATION =
            technique("T1098", "Account Manipulation", PERSISTENCE);
    private static final AttackTechnique DISABLE_OR_MODIFY_TOOLS =
            technique("T1562.001", "Impair Defenses: Disable or Modify Tools", DEFENSE_EVASION);
    private static final AttackTechnique COMPROMISE_SOFTWARE_SUPPLY_CHAIN =
            technique(
                    "T1195.002",
                    "Supply Chain Compromise: Compromise Software Supply Chain",
                    INITIAL_ACCESS);
    private static final AttackTechnique IMPLANT_INTERNAL_IMAGE =
            technique("T1525", "Implant Internal Image", PERSISTENCE);
    private static final AttackTechnique CONTAINER_AND_RESOURCE_DISCOVERY =
            technique("T1613", "Container and Resource Discovery", DISCOVERY);
    private static final AttackTechnique CLOUD_INFRASTRUCTURE_DISCOVERY =
            technique("T1580", "Cloud Infrastructure Discovery", DISCOVERY);
    private static final AttackTechnique DATA_DESTRUCTION =
            technique("T1485", "Data Destruction", IMPACT);

    private static final String ECR_DOCS =
            "https://docs.aws.amazon.com/AmazonECR/latest/userguide/";
    private static final String REVOKE_SESSIONS =
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html";

    private static final Map<String, Rule> RULES = new LinkedHashMap<>();

    static {
        rule(LAYER_DOWNLOAD, Severity.LOW)
                .story("downloaded layers of {repo} ({n} downloads)")
                .params(FOLD_WINDOW, DURATION_OR_ZERO)
                .attack(DATA_FROM_CLOUD_STORAGE)
                .compliance(
                        "NIST.800-53.r5 AC-3",
                        "NIST.800-53.r5 AU-6",
                        "PCI DSS v4.0.1/7.2.1",
                        "PCI DSS v4.0.1/10.2.1")
                .recommendation(
                        "Confirm the principal should pull this image: check the source IP and user agent"
                                + " against your build and runtime fleet. Presigned layer URLs work from any network: limit"
                                + " ecr:GetDownloadUrlForLayer to your VPC endpoints or networks (aws:SourceVpce / aws:SourceIp"
                                + " in repository, endpoint and identity policies, or an SCP).",
                        ECR_DOCS + "vpc-endpoints.html")
                .add();
        rule(LAYER_DOWNLOAD_BURST, Severity.MEDIUM)
                .story("pulled layers in bulk ({n} downloads)")
                .params("minDistinctLayers", COUNT, "window", DURATION)
                .attack(DATA_FROM_CLOUD_STORAGE, TRANSFER_TO_CLOUD_ACCOUNT)
                .asffTypes("Unusual Behaviors/User")
                .compliance(
                        "NIST.800-53.r5 SI-4",
                        "NIST.800-53.r5 SI-4(18)",
                        "NIST.800-53.r5 SC-7(10)",
                        "NIST.800-53.r5 AU-6",
                        "PCI DSS v4.0.1/10.4.1")
                .recommendation(
                        "Tell a deployment, scale-out or cache warm-up from bulk copying of images: compare"
                                + " the repositories and source IPs with expected CI/CD activity. If unexpected, revoke the"
                                + " principal's active sessions, rotate its credentials and restrict ECR pulls to your VPC"
                                + " endpoints.",
                        REVOKE_SESSIONS)
                .updatesFindings()
                .add();
        rule(UNTRUSTED_NETWORK, Severity.HIGH)
                .story("called ECR on {repo} from an untrusted network, {ip} ({n} calls)")
                .params(FOLD_WINDOW, DURATION_OR_ZERO)
                .params("pullActions", STRING_LIST)
                .attack(CLOUD_ACCOUNTS, DATA_FROM_CLOUD_STORAGE)
                .asffTypes("Unusual Behaviors/IP address", "Effects/Data Exfiltration")
                .compliance(
                        "NIST.800-53.r5 AC-3",
                        "NIST.800-53.r5 AC-17",
                        "NIST.800-53.r5 SC-7",
                        "PCI DSS v4.0.1/1.3.1",
                        "PCI DSS v4.0.1/7.2.1")
                .recommendation(
                        "Verify the source IP, VPC endpoint and caller account. If they are not yours, revoke"
                                + " the role's sessions or deactivate the access key, and require aws:SourceVpce or"
                                + " aws:SourceIp for ECR pulls in repository and identity policies or an SCP.",
                        ECR_DOCS + "vpc-endpoints.html")
                .add();
        rule(CREDENTIAL_NETWORK_HOP, Severity.HIGH)
                .story("used the same key from another network, {ip}")
                .params("window", DURATION)
                .attack(CLOUD_INSTANCE_METADATA_API, CLOUD_ACCOUNTS)
                .asffTypes("Unusual Behaviors/IP address")
                .compliance(
                        "NIST.800-53.r5 AC-2(12)",
                        "NIST.800-53.r5 IA-2",
                        "NIST.800-53.r5 SI-4",
                        "PCI DSS v4.0.1/10.4.1")
                .recommendation(
                        "Treat the access key as stolen until shown otherwise: it was used from a trusted and"
                                + " then an untrusted network. Revoke the role's active sessions (or deactivate the user's"
                                + " key), review every CloudTrail call made with it, and pin ECR access to trusted networks.",
                        REVOKE_SESSIONS)
                .updatesFindings()
                .add();
        rule(REPOSITORY_EXPOSED, Severity.CRITICAL)
                .story("opened the policy of {repo} to outsiders")
                .params(FOLD_WINDOW, DURATION_OR_ZERO)
                .params("crossAccountSeverity", SEVERITY, "servicePrincipalSeverity", SEVERITY)
                .attack(TRANSFER_TO_CLOUD_ACCOUNT)
                .asffTypes(
                        "Effects/Data Exposure",
                        "Software and Configuration Checks/AWS Security Best Practices")
                .compliance(
                        "NIST.800-53.r5 AC-3",
                        "NIST.800-53.r5 AC-4",
                        "NIST.800-53.r5 AC-6",
                        "NIST.800-53.r5 AC-21",
                        "NIST.800-53.r5 SC-7",
                        "PCI DSS v4.0.1/1.4.4",
                        "PCI DSS v4.0.1/7.2.1")
                .recommendation(
                        "Restore a least-privilege policy now: remove the statements granting \"*\", foreign"
                                + " accounts or unconditioned service principals, or limit them with aws:PrincipalOrgID. Then"
                                + " review who pulled images while the policy was in place and whether the change was"
                                + " approved.",
                        ECR_DOCS + "repository-policies.html")
                .failedCheck()
                .add();
        rule(ENDGAME_IOC, Severity.CRITICAL)
                .story("left Endgame marks on {repo}")
                .params(FOLD_WINDOW, DURATION_OR_ZERO)
                .params("sids", STRING_LIST, "userAgentMarkers", STRING_LIST)
                .attack(TRANSFER_TO_CLOUD_ACCOUNT, ACCOUNT_MANIPULATION)
                .asffTypes("Effects/Data Exposure")
                .compliance(
                        "NIST.800-53.r5 AC-3",
                        "NIST.800-53.r5 AC-6",
                        "NIST.800-53.r5 CM-5",
                        "NIST.800-53.r5 SI-4",
                        "PCI DSS v4.0.1/7.2.1",
                        "PCI DSS v4.0.1/10.4.1")
                .recommendation(
                        "Assume an attacker with write access used the Endgame tool after a credential"
                                + " compromise: restore the previous resource policy and remove grants to unknown accounts,"
                                + " contain the principal (rotate its credentials, revoke its sessions) and review every"
                                + " resource policy it changed.",
                        ECR_DOCS + "repository-policies.html")
                .failedCheck()
                .add();
        rule(POLICY_DELETED, Severity.MEDIUM)
                .story("deleted the policy of {repo}")
                .params(FOLD_WINDOW, DURATION_OR_ZERO)
                .attack(DISABLE_OR_MODIFY_TOOLS)
                .asffTypes("Software and Configuration Checks/AWS Security Best Practices")
                .compliance(
                        "NIST.800-53.r5 CM-3",
                        "NIST.800-53.r5 CM-5",
                        "NIST.800-53.r5 AC-3",
                        "PCI DSS v4.0.1/10.2.1.2")
                .recommendation(
                        "Confirm the deletion was an approved change. If not, restore the policy from"
                                + " infrastructure as code and review the principal's other recent activity.",
                        ECR_DOCS + "repository-policies.html")
                .add();
        rule(VULNERABLE_IMAGE_SCAN, Severity.HIGH)
                .params(FOLD_WINDOW, DURATION_OR_ZERO)
                .params("minCritical", COUNT, "minHigh", COUNT)
                .attack(COMPROMISE_SOFTWARE_SUPPLY_CHAIN)
                .asffTypes("Software and Configuration Checks/Vulnerabilities/CVE")
                .compliance(
                        "NIST.800-53.r5 RA-5",
                        "NIST.800-53.r5 SI-2",
                        "PCI DSS v4.0.1/6.3.1",
                        "PCI DSS v4.0.1/6.3.3")
                .recommendation(
                        "Rebuild the image on patched base images and dependencies, push it and stop"
                                + " deploying this digest: find the workloads running it and keep it from being pulled (untag"
                                + " it or restrict the repository) until fixed. The scan findings list the affected packages.",
                        ECR_DOCS + "image-scanning.html")
                .failedCheck()
                .add();
        rule(POLICY_CHANGE_AFTER_SCAN, Severity.HIGH)
                .story("changed the settings of {repo} after a vulnerable scan")
                .params("window", DURATION)
                .attack(DISABLE_OR_MODIFY_TOOLS, IMPLANT_INTERNAL_IMAGE)
                .asffTypes(
                        "Effects/Data Exposure",
                        "Software and Configuration Checks/Vulnerabilities/CVE")
                .compliance(
                        "NIST.800-53.r5 CM-3",
                        "NIST.800-53.r5 RA-5",
                        "NIST.800-53.r5 SI-2",
                        "NIST.800-53.r5 SI-4",
                        "PCI DSS v4.0.1/6.3.3",
                        "PCI DSS v4.0.1/10.2.1.2")
                .recommendation(
                        "A control changed on a repository right after a vulnerable scan. Confirm the change"
                                + " was approved: a known-vulnerable image should not be exposed, deleted or taken out of"
                                + " scanning (scan-on-push off, tag mutability, lifecycle) before it is fixed. If it was not,"
                                + " revert the change; then rebuild the image.",
                        ECR_DOCS + "image-scanning.html")
                .updatesFindings()
                .add();
        rule(FIRST_SEEN_PULLER, Severity.LOW)
                .story("pulled {repo} for the first time")
                .params(FOLD_WINDOW, DURATION_OR_ZERO)
                .params("learningPeriod", DURATION, "forgetAfter", DURATION)
                .attack(CLOUD_ACCOUNTS, DATA_FROM_CLOUD_STORAGE)
                .asffTypes("Unusual Behaviors/User")
                .compliance(
                        "NIST.800-53.r5 AC-2(12)",
                        "NIST.800-53.r5 AU-6",
                        "NIST.800-53.r5 SI-4",
                        "PCI DSS v4.0.1/10.4.1")
                .recommendation(
                        "Confirm the principal is expected to pull from this repository (a new service or"
                                + " pipeline). If not, find how it got access and limit the repository policy to the intended"
                                + " principals.",
                        ECR_DOCS + "repository-policies.html")
                .add();
        rule(REPLICATION_TO_FOREIGN_ACCOUNT, Severity.HIGH)
                .story("replicated images to a foreign account")
                .params(FOLD_WINDOW, DURATION_OR_ZERO)
                .attack(TRANSFER_TO_CLOUD_ACCOUNT)
                .asffTypes("TTPs/Persistence")
                .compliance(
                        "NIST.800-53.r5 AC-4",
                        "NIST.800-53.r5 AC-20",
                        "NIST.800-53.r5 AC-21",
                        "NIST.800-53.r5 CM-3",
                        "PCI DSS v4.0.1/7.2.1")
                .recommendation(
                        "Verify the destination account is yours. Unless it is approved, remove the"
                                + " replication rule (PutReplicationConfiguration) at once, then check which images were"
                                + " already replicated and who made the change.",
                        ECR_DOCS + "replication.html")
                .failedCheck()
                .add();
        rule(ACCESS_DENIED_BURST, Severity.MEDIUM)
                .story("was refused {n} pulls")
                .params("minCount", COUNT, "window", DURATION)
                .attack(CONTAINER_AND_RESOURCE_DISCOVERY, CLOUD_INFRASTRUCTURE_DISCOVERY)
                .asffTypes("Unusual Behaviors/User")
                .compliance(
                        "NIST.800-53.r5 AC-3",
                        "NIST.800-53.r5 AU-6",
                        "NIST.800-53.r5 SI-4",
                        "PCI DSS v4.0.1/10.2.1.4")
                .recommendation(
                        "Repeated denied pulls mean enumeration or a workload that lost access (for example"
                                + " after a policy change): check the principal and source IP; contain the credentials if"
                                + " unexpected, otherwise fix the workload's permissions.",
                        ECR_DOCS + "security_iam_troubleshoot.html")
                .updatesFindings()
                .add();
        rule(REGISTRY_NOT_ASSESSED, Severity.LOW)
                .params(
                        "registries",
                        STRING_LIST,
                        "enrolled",
                        STRING_LIST,
                        "activityEvents",
                        STRING_LIST)
                .attack(IMPLANT_INTERNAL_IMAGE)
                .asffTypes("Software and Configuration Checks/AWS Security Best Practices")
                .compliance("NIST.800-53.r5 RA-5", "NIST.800-53.r5 SI-2", "PCI DSS v4.0.1/11.3.1")
                .recommendation(
                        "Enroll the registry in the image assessment service (remediation action"
                                + " register-registry), or list it under rules.registry-not-assessed.enrolled if it is enrolled"
                                + " already; until then its images are not assessed.",
                        ECR_DOCS + "image-scanning.html")
                .failedCheck()
                .updatesFindings()
                .add();
        rule(UNEXPECTED_IMAGE_PUSH, Severity.MEDIUM)
                .story("pushed an unexpected image to {repo}")
                .params(FOLD_WINDOW, DURATION_OR_ZERO)
                .params(
                        "pushers",
                        STRING_LIST,
                        "learningPeriod",
                        DURATION,
                        "forgetAfter",
                        DURATION,
                        "tokenWindow",
                        DURATION)
                .attack(IMPLANT_INTERNAL_IMAGE)
                .asffTypes("Unusual Behaviors/User")
                .compliance(
                        "NIST.800-53.r5 CM-5",
                        "NIST.800-53.r5 SI-7",
                        "NIST.800-53.r5 SR-11",
                        "NIST.800-53.r5 AU-6",
                        "PCI DSS v4.0.1/6.5.1",
                        "PCI DSS v4.0.1/10.4.1")
                .recommendation(
                        "Confirm the image was built by your pipeline: compare its digest with the build's"
                                + " output and who pushed it with your CI roles. If not, stop deploying it (untag or delete"
                                + " the image), contain the principal's credentials, and allow ecr:PutImage only to CI roles"
                                + " in the repository policy or an SCP.",
                        ECR_DOCS + "image-push.html")
                .add();
        rule(IMAGE_TAG_OVERWRITE, Severity.HIGH)
                .story("moved a release tag of {repo} to another image")
                .params(FOLD_WINDOW, DURATION_OR_ZERO)
                .params("protectedTags", TAG_GLOB_LIST, "forgetAfter", DURATION)
                .attack(IMPLANT_INTERNAL_IMAGE)
                .asffTypes("Software and Configuration Checks/AWS Security Best Practices")
                .compliance(
                        "NIST.800-53.r5 CM-5",
                        "NIST.800-53.r5 CM-14",
                        "NIST.800-53.r5 SI-7",
                        "PCI DSS v4.0.1/6.5.1")
                .recommendation(
                        "A release tag now names another image: compare the new digest with your build"
                                + " records, and point the tag back (or pin deployments to the old digest) unless the rebuild"
                                + " was approved. Make release repositories' tags IMMUTABLE (or immutable with exclusions for"
                                + " moving tags such as latest).",
                        ECR_DOCS + "image-tag-mutability.html")
                .add();
        rule(REPOSITORY_ENUMERATION, Severity.MEDIUM)
                .story("read many repositories ({n} calls)")
                .params("minRepositories", COUNT, "window", DURATION)
                .attack(CONTAINER_AND_RESOURCE_DISCOVERY, CLOUD_INFRASTRUCTURE_DISCOVERY)
                .asffTypes("Unusual Behaviors/User")
                .compliance(
                        "NIST.800-53.r5 AC-6",
                        "NIST.800-53.r5 AU-6",
                        "NIST.800-53.r5 SI-4",
                        "PCI DSS v4.0.1/10.4.1")
                .recommendation(
                        "Find out who reads across the registry: a security scanner or inventory tool is"
                                + " expected (add it to this rule's allowlist); anyone else is mapping your images. Then"
                                + " contain the credentials (revoke the role's sessions or deactivate the key) and narrow"
                                + " its ecr:Describe*/List*/Get* permissions to the repositories it needs.",
                        REVOKE_SESSIONS)
                .updatesFindings()
                .add();
        rule(PULL_THROUGH_CACHE_UNTRUSTED, Severity.HIGH)
                .story("set up a pull-through cache from an untrusted upstream")
                .params(FOLD_WINDOW, DURATION_OR_ZERO)
                .params("trustedUpstreams", STRING_LIST)
                .attack(COMPROMISE_SOFTWARE_SUPPLY_CHAIN)
                .asffTypes("Software and Configuration Checks/AWS Security Best Practices")
                .compliance(
                        "NIST.800-53.r5 CM-3",
                        "NIST.800-53.r5 CM-7",
                        "NIST.800-53.r5 SR-3",
                        "NIST.800-53.r5 SR-11",
                        "PCI DSS v4.0.1/6.3.2")
                .recommendation(
                        "Images pulled through this cache rule come from the upstream it names. Unless that"
                                + " registry is approved, delete the rule (DeletePullThroughCacheRule) and the repositories it"
                                + " created, find the workloads that pulled from them, and add the upstream to trustedUpstreams"
                                + " only once it is vetted.",
                        ECR_DOCS + "pull-through-cache.html")
                .failedCheck()
                .add();
        rule(GUARDRAIL_WEAKENED_THEN_PUSH, Severity.HIGH)
                .story("weakened the guardrails of {repo}, then pushed to it")
                .params("window", DURATION, "reportWeakening", BOOLEAN)
                .attack(DISABLE_OR_MODIFY_TOOLS, IMPLANT_INTERNAL_IMAGE)
                .asffTypes("Software and Configuration Checks/AWS Security Best Practices")
                .compliance(
                        "NIST.800-53.r5 CM-3",
                        "NIST.800-53.r5 CM-5",
                        "NIST.800-53.r5 RA-5",
                        "NIST.800-53.r5 SI-7",
                        "PCI DSS v4.0.1/6.3.3",
                        "PCI DSS v4.0.1/10.2.1.2")
                .recommendation(
                        "Scanning or tag immutability was turned off and an image pushed right after. Restore"
                                + " the guardrail, scan the pushed digest and compare it with what your pipeline built; until"
                                + " it is vouched for, keep it from being deployed (untag it or quarantine the repository) and"
                                + " review the principal that changed the setting.",
                        ECR_DOCS + "image-tag-mutability.html")
                .updatesFindings()
                .add();
        rule(MASS_DELETION, Severity.HIGH)
                .story("deleted images or repositories in bulk")
                .params("minImages", COUNT, "minRepositories", COUNT, "window", DURATION)
                .attack(DATA_DESTRUCTION)
                .asffTypes("Unusual Behaviors/User")
                .compliance(
                        "NIST.800-53.r5 CP-9",
                        "NIST.800-53.r5 CM-5",
                        "NIST.800-53.r5 SI-4",
                        "NIST.800-53.r5 AU-6",
                        "PCI DSS v4.0.1/10.2.1.2")
                .recommendation(
                        "Images or repositories are being deleted in bulk, or a lifecycle policy will expire"
                                + " nearly every image. Stop the principal (revoke its sessions), remove or fix the lifecycle"
                                + " policy, and rebuild or restore what deployments need from CI or replicas before nodes fail"
                                + " to pull.",
                        ECR_DOCS + "LifecyclePolicies.html")
                .updatesFindings()
                .add();
        rule(WORKLOAD_CREDENTIALS_OUTSIDE, Severity.HIGH)
                .story("used a workload's session key from another network, {ip}")
                .params(FOLD_WINDOW, DURATION_OR_ZERO)
                .attack(CLOUD_INSTANCE_METADATA_API, CLOUD_ACCOUNTS)
                .asffTypes("Unusual Behaviors/IP address", "TTPs/Credential Access")
                .compliance(
                        "NIST.800-53.r5 AC-2(12)",
                        "NIST.800-53.r5 IA-5",
                        "NIST.800-53.r5 SI-4",
                        "PCI DSS v4.0.1/10.4.1")
                .recommendation(
                        "Treat the workload's role session as stolen: it was issued to a Lambda function,"
                                + " ECS task or EC2 instance and used from another network by another client. Revoke the"
                                + " role's active sessions, find how the credentials left the workload (SSRF, code"
                                + " injection, exposed environment or metadata service; require IMDSv2), review every call"
                                + " made with the key, and limit ECR pulls to your VPC endpoints.",
                        REVOKE_SESSIONS)
                .add();
        rule(ATTACK_SEQUENCE, Severity.HIGH)
                .asffTypes("TTPs")
                .compliance(
                        "NIST.800-53.r5 IR-4",
                        "NIST.800-53.r5 IR-5",
                        "NIST.800-53.r5 SI-4(16)",
                        "PCI DSS v4.0.1/12.10.1")
                .recommendation(
                        "Handle the member findings as one incident by one actor: contain the actor first"
                                + " (revoke the role's sessions or deactivate the access key), then follow the steps in"
                                + " their order (exposure undone, images restored, policies reviewed) and review every"
                                + " call the actor's keys made in the incident's time range.",
                        "https://docs.aws.amazon.com/guardduty/latest/ug/guardduty-attack-sequence-finding-types.html")
                .updatesFindings()
                .add();
    }

    private RuleCatalog() {}

    /** Rule ids in documentation order. */
    public static Iterable<String> ids() {
        return RULES.keySet();
    }

    /** Every rule, in documentation order. */
    public static Collection<Rule> rules() {
        return Collections.unmodifiableCollection(RULES.values());
    }

    public static Optional<Rule> find(String id) {
        return Optional.ofNullable(id == null ? null : RULES.get(id));
    }

    public static boolean exists(String id) {
        return find(id).isPresent();
    }

    /** The parameters of a rule's config section; null for an id outside the catalog. */
    public static Map<String, ParamType> params(String id) {
        return find(id).map(Rule::params).orElse(null);
    }

    /** The rule's ATT&CK techniques; empty for ids outside the catalog. */
    public static List<AttackTechnique> attack(String id) {
        return find(id).map(Rule::attack).orElse(List.of());
    }

    /**
     * What to do first about a finding of the rule; {@link #DEFAULT_RECOMMENDATION} for other ids.
     */
    public static String recommendation(String id) {
        return find(id).map(Rule::recommendation).orElse(DEFAULT_RECOMMENDATION);
    }

    /**
     * True when a finding of this rule may later be emitted again with the same id and new contents
     * (an episode that goes on, a registry in use again); also for ids outside the catalog. Other
     * rules emit each finding once (the same input record twice gives the same finding twice).
     */
    public static boolean updatesFindings(String id) {
        return find(id).map(Rule::updatesFindings).orElse(true);
    }

    /** {@code tactic} is "TA0009 Collection": the tactic id, a space, its name. */
    private static AttackTechnique technique(String id, String name, String tactic) {
        int space = tactic.indexOf(' ');
        return new AttackTechnique(
                id, name, tactic.substring(0, space), tactic.substring(space + 1));
    }

    private static Builder rule(String id, Severity defaultSeverity) {
        return new Builder(id, defaultSeverity);
    }

    /** One catalog entry, field by field; {@link #add()} puts it in the catalog. */
    private static final class Builder {
        private final String id;
        private final Severity defaultSeverity;
        private final Map<String, ParamType> params = new LinkedHashMap<>();
        private final List<AttackTechnique> attack = new ArrayList<>();
        private final List<String> asffTypes = new ArrayList<>();
        private final List<String> compliance = new ArrayList<>();
        private String recommendation;
        private String recommendationUrl;
        private boolean failedCheck;
        private boolean updatesFindings;
        private String story;

        Builder(String id, Severity defaultSeverity) {
            this.id = id;
            this.defaultSeverity = defaultSeverity;
        }

        Builder params(Object... nameTypePairs) {
            for (int i = 0; i < nameTypePairs.length; i += 2) {
                params.put((String) nameTypePairs[i], (ParamType) nameTypePairs[i + 1]);
            }
            return this;
        }

        Builder attack(AttackTechnique... techniques) {
            attack.addAll(List.of(techniques));
            return this;
        }

        Builder asffTypes(String... types) {
            asffTypes.addAll(List.of(types));
            return this;
        }

        Builder compliance(String... requirements) {
            compliance.addAll(List.of(requirements));
            return this;
        }

        Builder recommendation(String text, String url) {
            this.recommendation = text;
            this.recommendationUrl = url;
            return this;
        }

        Builder failedCheck() {
            this.failedCheck = true;
            return this;
        }

        Builder story(String step) {
            this.story = step;
            return this;
        }

        Builder updatesFindings() {
            this.updatesFindings = true;
            return this;
        }

        void add() {
            RULES.put(
                    id,
                    new Rule(
                            id,
                            defaultSeverity,
                            Collections.unmodifiableMap(params),
                            List.copyOf(attack),
                            List.copyOf(asffTypes),
                            List.copyOf(compliance),
                            recommendation,
                            recommendationUrl,
                            failedCheck,
                            updatesFindings,
                            story));
        }
    }
}
