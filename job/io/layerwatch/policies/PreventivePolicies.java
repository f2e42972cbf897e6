package io.layerwatch.policies;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layerwatch.config.Allowlist;
import io.layerwatch.config.Cidr;
import io.layerwatch.config.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Preventive controls generated from the same allowlist the detections use (trusted principals, the
 * organization, trusted VPC endpoints and networks): the policies that stop what {@code
 * layer-download}, {@code untrusted-network} and {@code repository-exposed} report.
 *
 * <ul>
 *   <li>{@value #SCP}: a service control policy denying {@code ecr:GetDownloadUrlForLayer} and
 *       {@code ecr:BatchGetImage} to every principal but the allowed roles, break-glass roles and
 *       the pullers observed in a trail ({@link ObservedPullers}), calls an AWS service makes on a
 *       principal's behalf excepted;
 *   <li>{@value #VPCE_ECR_API} and {@value #VPCE_ECR_DKR}: interface endpoint policies admitting
 *       principals of the organization only ({@code aws:PrincipalOrgID});
 *   <li>{@value #VPCE_S3_ECR_LAYERS}: the S3 gateway endpoint policy reaching the ECR layer buckets
 *       (and the organization's own buckets), to merge into the endpoint's policy: alone it blocks
 *       other AWS-owned buckets (Amazon Linux package repositories and the like);
 *   <li>{@value #REPOSITORY_BASELINE}: a repository policy letting the organization pull and
 *       denying pulls from outside its VPC endpoints (and trusted CIDRs: private ones as {@code
 *       aws:VpcSourceIp}, public ones as {@code aws:SourceIp}), trusted principals and AWS services
 *       excepted; to merge into each repository's policy (SetRepositoryPolicy replaces the whole
 *       policy).
 * </ul>
 *
 * Every statement's Sid starts with {@value #SID_PREFIX}, so merged statements can be found and
 * replaced.
 *
 * <p>Inputs are checked first: a missing organization id, no usable principal, no trusted network
 * or a policy over its size limit is a {@link ConfigException} naming the config key, and nothing
 * is written.
 */
public final class PreventivePolicies {

    public static final String SCP = "scp-ecr-layer-download.json";
    public static final String VPCE_ECR_API = "vpce-ecr-api.json";
    public static final String VPCE_ECR_DKR = "vpce-ecr-dkr.json";
    public static final String VPCE_S3_ECR_LAYERS = "vpce-s3-ecr-layers.json";
    public static final String REPOSITORY_BASELINE = "repository-policy-baseline.json";

    /** Size limits (characters, whitespace included when saved through the API or CLI). */
    public static final int SCP_MAX_CHARS = 5120;

    public static final int VPC_ENDPOINT_POLICY_MAX_CHARS = 20480;
    public static final int REPOSITORY_POLICY_MAX_CHARS = 10240;

    public static final String VERSION = "2012-10-17";
    public static final String SID_PREFIX = "LayerWatch";

    /** What a layer download takes: the image manifest and the presigned layer URLs. */
    public static final List<String> LAYER_DOWNLOAD_ACTIONS =
            List.of("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer");

    /** What a docker pull takes. */
    public static final List<String> PULL_ACTIONS =
            List.of(
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer");

    /** The AWS-owned buckets ECR serves layers from (prod-REGION-starport-layer-bucket). */
    public static final String ECR_LAYER_BUCKETS = "arn:aws:s3:::prod-*-starport-layer-bucket/*";

    static final String KEY_ORGANIZATION_ID = "allowlist." + Allowlist.ORGANIZATION_ID;
    static final String KEY_PRINCIPALS = "allowlist." + Allowlist.PRINCIPALS;
    static final String KEY_VPC_ENDPOINTS = "allowlist." + Allowlist.TRUSTED_VPC_ENDPOINTS;

    private static final Pattern VPC_ENDPOINT_ID = Pattern.compile("vpce-[0-9a-f]{8,17}");
    private static final Pattern BREAK_GLASS =
            Pattern.compile("arn:[^:]+:iam::[^:]*:(role|user)/.+");

    /** Ranges calls through a VPC endpoint come from, which only aws:VpcSourceIp sees. */
    private static final List<Cidr> PRIVATE_RANGES =
            Stream.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
                    .map(Cidr::parse)
                    .toList();

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * One generated policy.
     *
     * @param file the file name it is written to
     * @param summary one line saying what it does
     * @param text the policy as written (the SCP compact, to stay within its size limit; the others
     *     indented)
     */
    public record Policy(String file, String summary, ObjectNode document, String text) {}

    /** The policies, in a fixed order, and the allowlist entries that could not be used. */
    public record Result(List<Policy> policies, List<String> warnings) {

        public Policy policy(String file) {
            return policies.stream()
                    .filter(p -> p.file().equals(file))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no policy " + file));
        }
    }

    private PreventivePolicies() {}

    /**
     * Generates every policy from the global allowlist.
     *
     * @param source the config file name, for error messages
     * @param breakGlass role or user ARN patterns always allowed besides the allowlisted principals
     */
    public static Result generate(Allowlist allowlist, String source, List<String> breakGlass) {
        return generate(allowlist, source, breakGlass, List.of());
    }

    /**
     * Generates every policy; {@code observed} (role or user ARNs that pulled, see {@link
     * ObservedPullers}) join the SCP's allowed principals after the allowlist's and the break-glass
     * ones.
     */
    public static Result generate(
            Allowlist allowlist, String source, List<String> breakGlass, List<String> observed) {
        Inputs in = check(allowlist, source, breakGlass);
        String org = in.organizationId();
        List<String> allowed = in.allowed();
        List<String> endpoints = in.endpoints();
        List<String> cidrs = in.cidrs();
        List<String> scpPrincipals = new ArrayList<>(allowed);
        observed.stream().filter(arn -> !scpPrincipals.contains(arn)).forEach(scpPrincipals::add);
        if (scpPrincipals.isEmpty()) {
            throw error(
                    source,
                    KEY_PRINCIPALS,
                    "no IAM role or user ARN patterns (and no --break-glass): the SCP "
                            + "would deny every layer download in the organization; list the roles that pull images");
        }
        List<String> privateCidrs = cidrs.stream().filter(PreventivePolicies::isPrivate).toList();
        List<String> publicCidrs = cidrs.stream().filter(c -> !isPrivate(c)).toList();

        List<Policy> policies = new ArrayList<>();
        Policy scp =
                new Policy(
                        SCP,
                        "SCP: deny "
                                + String.join(", ", LAYER_DOWNLOAD_ACTIONS)
                                + " except to "
                                + scpPrincipals.size()
                                + " principal pattern(s)"
                                + (observed.isEmpty()
                                        ? ""
                                        : " ("
                                                + (scpPrincipals.size() - allowed.size())
                                                + " observed puller(s))")
                                + " and calls via AWS services; attach it to a test OU first",
                        scp(scpPrincipals),
                        null);
        if (scpPrincipals.size() > allowed.size()) {
            String text = render(scp.document(), true);
            if (text.length() > SCP_MAX_CHARS) {
                throw new ConfigException(
                        "--pullers: "
                                + SCP
                                + " would be "
                                + text.length()
                                + " characters with "
                                + (scpPrincipals.size() - allowed.size())
                                + " observed puller(s), over its limit of "
                                + SCP_MAX_CHARS
                                + "; allow them with wildcard patterns in "
                                + source
                                + " "
                                + KEY_PRINCIPALS
                                + " (e.g. arn:aws:iam::*:role/eks-node-*), or use fewer --pullers-days");
            }
        }
        policies.add(checked(source, KEY_PRINCIPALS, SCP_MAX_CHARS, scp, true));
        policies.add(
                checked(
                        source,
                        KEY_ORGANIZATION_ID,
                        VPC_ENDPOINT_POLICY_MAX_CHARS,
                        new Policy(
                                VPCE_ECR_API,
                                "VPC endpoint policy for com.amazonaws.REGION.ecr.api: principals of "
                                        + org
                                        + " only",
                                organizationEndpoint("OrganizationPrincipalsOnlyEcrApi", org),
                                null),
                        false));
        policies.add(
                checked(
                        source,
                        KEY_ORGANIZATION_ID,
                        VPC_ENDPOINT_POLICY_MAX_CHARS,
                        new Policy(
                                VPCE_ECR_DKR,
                                "VPC endpoint policy for com.amazonaws.REGION.ecr.dkr: principals of "
                                        + org
                                        + " only",
                                organizationEndpoint("OrganizationPrincipalsOnlyEcrDkr", org),
                                null),
                        false));
        policies.add(
                checked(
                        source,
                        KEY_ORGANIZATION_ID,
                        VPC_ENDPOINT_POLICY_MAX_CHARS,
                        new Policy(
                                VPCE_S3_ECR_LAYERS,
                                "S3 gateway endpoint policy: the ECR layer buckets, and "
                                        + org
                                        + " principals to "
                                        + org
                                        + " buckets; "
                                        + "merge it into the endpoint's policy: alone it blocks other AWS-owned buckets (Amazon Linux "
                                        + "package repositories and the like)",
                                s3Endpoint(org),
                                null),
                        false));
        policies.add(
                checked(
                        source,
                        KEY_VPC_ENDPOINTS,
                        REPOSITORY_POLICY_MAX_CHARS,
                        new Policy(
                                REPOSITORY_BASELINE,
                                "repository policy baseline: "
                                        + org
                                        + " pulls; pulls from outside "
                                        + networks(endpoints, cidrs)
                                        + " denied (trusted principals and AWS services excepted); merge its statements into each "
                                        + "repository's policy (SetRepositoryPolicy replaces the whole policy)",
                                repositoryBaseline(
                                        org, endpoints, privateCidrs, publicCidrs, allowed),
                                null),
                        false));
        return new Result(List.copyOf(policies), in.warnings());
    }

    /**
     * The checked inputs of the policies, all but the SCP's principals (which observed pullers may
     * supply).
     *
     * @param allowed the SCP's principal patterns from the allowlist and --break-glass
     * @param cidrs the trusted CIDRs in CIDR notation
     * @param warnings the allowlist principals left out, and why
     */
    public record Inputs(
            String organizationId,
            List<String> allowed,
            List<String> endpoints,
            List<String> cidrs,
            List<String> warnings) {}

    /**
     * Checks the allowlist and break-glass ARNs; throws a {@link ConfigException} naming the first
     * problem.
     */
    public static Inputs check(Allowlist allowlist, String source, List<String> breakGlass) {
        String org = allowlist.organizationId();
        if (org == null) {
            throw error(
                    source,
                    KEY_ORGANIZATION_ID,
                    "not set; the preventive policies limit ECR to your organization "
                            + "(aws:PrincipalOrgID): set it to your organization id (o-...)");
        }
        for (String arn : breakGlass) {
            if (!BREAK_GLASS.matcher(arn).matches()) {
                throw new ConfigException(
                        "--break-glass "
                                + arn
                                + ": not an IAM role or user ARN "
                                + "(arn:aws:iam::ACCOUNT:role/NAME, * allowed)");
            }
        }
        PrincipalPatterns.Result principals =
                PrincipalPatterns.of(allowlist.principals(), KEY_PRINCIPALS);
        List<String> allowed = new ArrayList<>(principals.patterns());
        breakGlass.stream().filter(arn -> !allowed.contains(arn)).forEach(allowed::add);
        List<String> endpoints = List.copyOf(new TreeSet<>(allowlist.trustedVpcEndpoints()));
        for (String id : endpoints) {
            if (!VPC_ENDPOINT_ID.matcher(id).matches()) {
                throw error(
                        source,
                        KEY_VPC_ENDPOINTS,
                        "'" + id + "' is not a VPC endpoint id (vpce-...)");
            }
        }
        List<String> cidrs =
                allowlist.trustedCidrs().stream().map(PreventivePolicies::cidrBlock).toList();
        if (endpoints.isEmpty() && cidrs.isEmpty()) {
            throw error(
                    source,
                    KEY_VPC_ENDPOINTS,
                    "not set; "
                            + REPOSITORY_BASELINE
                            + " denies pulls from outside "
                            + "your networks: list your ECR interface endpoint ids (vpce-...) (or allowlist.trustedCidrs)");
        }
        return new Inputs(org, List.copyOf(allowed), endpoints, cidrs, principals.warnings());
    }

    /** Writes every policy into {@code dir} (created if needed); returns the files in order. */
    public static List<Path> write(Result result, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        for (Policy p : result.policies()) {
            Path file = dir.resolve(p.file());
            Files.writeString(file, p.text() + "\n", StandardCharsets.UTF_8);
            files.add(file);
        }
        return files;
    }

    // ---- the policies
    // -------------------------------------------------------------------------------------

    static ObjectNode scp(List<String> allowedPrincipals) {
        ObjectNode statement = statement("DenyEcrLayerDownloadExceptAllowedPrincipals", "Deny");
        statement.set("Action", strings(LAYER_DOWNLOAD_ACTIONS));
        statement.put("Resource", "*");
        ObjectNode when = condition("ArnNotLike", "aws:PrincipalArn", strings(allowedPrincipals));
        // A service calling with the principal's credentials (forward access sessions) is not a
        // pull by it. SCPs never restrict service principals, so aws:PrincipalIsAWSService is not
        // needed here.
        when.set("BoolIfExists", NODES.objectNode().put("aws:ViaAWSService", "false"));
        statement.set("Condition", when);
        return document(statement);
    }

    static ObjectNode organizationEndpoint(String sid, String org) {
        ObjectNode statement = statement(sid, "Allow");
        statement.put("Principal", "*");
        statement.put("Action", "ecr:*");
        statement.put("Resource", "*");
        statement.set(
                "Condition", condition("StringEquals", "aws:PrincipalOrgID", NODES.textNode(org)));
        return document(statement);
    }

    static ObjectNode s3Endpoint(String org) {
        ObjectNode layers = statement("EcrLayerBuckets", "Allow");
        layers.put("Principal", "*");
        layers.put("Action", "s3:GetObject");
        layers.put("Resource", ECR_LAYER_BUCKETS);
        ObjectNode own = statement("OrganizationPrincipalsToOrganizationBuckets", "Allow");
        own.put("Principal", "*");
        own.put("Action", "s3:*");
        own.put("Resource", "*");
        ObjectNode equals = NODES.objectNode();
        equals.put("aws:PrincipalOrgID", org);
        equals.put("aws:ResourceOrgID", org);
        own.set("Condition", NODES.objectNode().set("StringEquals", equals));
        return document(layers, own);
    }

    static ObjectNode repositoryBaseline(
            String org,
            List<String> endpoints,
            List<String> privateCidrs,
            List<String> publicCidrs,
            List<String> trustedPrincipals) {
        ObjectNode pull = statement("OrganizationPrincipalsPull", "Allow");
        pull.put("Principal", "*");
        pull.set("Action", strings(PULL_ACTIONS));
        pull.set("Condition", condition("StringEquals", "aws:PrincipalOrgID", NODES.textNode(org)));

        ObjectNode deny = statement("DenyPullOutsideTrustedNetworks", "Deny");
        deny.put("Principal", "*");
        deny.set("Action", strings(PULL_ACTIONS));
        ObjectNode when = NODES.objectNode();
        // Absent keys satisfy negated operators: a call through no endpoint (no aws:SourceVpce, no
        // aws:VpcSourceIp), or through an endpoint (no public aws:SourceIp), is outside unless
        // another key says otherwise. Private addresses are only ever seen through an endpoint, as
        // aws:VpcSourceIp.
        if (!endpoints.isEmpty()) {
            when.set(
                    "StringNotEquals",
                    NODES.objectNode().set("aws:SourceVpce", strings(endpoints)));
        }
        if (!privateCidrs.isEmpty() || !publicCidrs.isEmpty()) {
            ObjectNode notIp = NODES.objectNode();
            if (!publicCidrs.isEmpty()) {
                notIp.set("aws:SourceIp", strings(publicCidrs));
            }
            if (!privateCidrs.isEmpty()) {
                notIp.set("aws:VpcSourceIp", strings(privateCidrs));
            }
            when.set("NotIpAddress", notIp);
        }
        when.set(
                "ArnNotLike",
                NODES.objectNode().set("aws:PrincipalArn", strings(trustedPrincipals)));
        ObjectNode notService = NODES.objectNode();
        notService.put("aws:PrincipalIsAWSService", "false");
        notService.put("aws:ViaAWSService", "false");
        when.set("BoolIfExists", notService);
        deny.set("Condition", when);
        return document(pull, deny);
    }

    // ---- helpers
    // ------------------------------------------------------------------------------------------

    private static ObjectNode document(ObjectNode... statements) {
        ObjectNode doc = NODES.objectNode();
        doc.put("Version", VERSION);
        ArrayNode list = doc.putArray("Statement");
        for (ObjectNode s : statements) {
            list.add(s);
        }
        return doc;
    }

    private static ObjectNode statement(String sid, String effect) {
        ObjectNode s = NODES.objectNode();
        s.put("Sid", SID_PREFIX + sid);
        s.put("Effect", effect);
        return s;
    }

    private static ObjectNode condition(String operator, String key, JsonNode value) {
        ObjectNode c = NODES.objectNode();
        c.set(operator, NODES.objectNode().set(key, value));
        return c;
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode a = NODES.arrayNode();
        values.forEach(a::add);
        return a;
    }

    private static String networks(List<String> endpoints, List<String> cidrs) {
        List<String> parts = new ArrayList<>();
        if (!endpoints.isEmpty()) {
            parts.add(endpoints.size() + " VPC endpoint(s)");
        }
        if (!cidrs.isEmpty()) {
            parts.add(cidrs.size() + " CIDR(s)");
        }
        return String.join(" and ", parts);
    }

    /** Renders the policy (compact or indented) and checks it against its size limit. */
    private static Policy checked(String source, String key, int limit, Policy p, boolean compact) {
        String text = render(p.document(), compact);
        if (text.length() > limit) {
            throw error(
                    source,
                    key,
                    p.file()
                            + " would be "
                            + text.length()
                            + " characters, over its limit of "
                            + limit
                            + (compact ? "" : " (indented)")
                            + "; use fewer, broader entries");
        }
        return new Policy(p.file(), p.summary(), p.document(), text);
    }

    static String render(ObjectNode document, boolean compact) {
        try {
            return compact ? document.toString() : JSON.writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Inside a private (RFC 1918, RFC 6598 shared, IPv6 unique local) range. */
    static boolean isPrivate(String cidrBlock) {
        int slash = cidrBlock.indexOf('/');
        String network = cidrBlock.substring(0, slash);
        int prefix = Integer.parseInt(cidrBlock.substring(slash + 1));
        return PRIVATE_RANGES.stream()
                .anyMatch(
                        r ->
                                r.contains(network)
                                        && prefix
                                                >= Integer.parseInt(
                                                        r.toString()
                                                                .substring(
                                                                        r.toString().indexOf('/')
                                                                                + 1)));
    }

    /** IAM wants CIDR notation; the config also takes single addresses. */
    private static String cidrBlock(Cidr cidr) {
        String text = cidr.toString();
        return text.contains("/") ? text : text + (text.contains(":") ? "/128" : "/32");
    }

    private static ConfigException error(String source, String key, String problem) {
        return new ConfigException(source + ": " + key + ": " + problem);
    }

    /** The file names in the order they are generated. */
    public static List<String> files() {
        return List.of(SCP, VPCE_ECR_API, VPCE_ECR_DKR, VPCE_S3_ECR_LAYERS, REPOSITORY_BASELINE);
    }
}
