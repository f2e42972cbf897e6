package io.layerwatch.sinks.securityhub;

import static io.layerwatch.util.Text.cut;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layerwatch.config.AttackTechnique;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.Finding.FindingPrincipal;
import io.layerwatch.finding.Incident;
import io.layerwatch.sinks.IncidentText;
import io.layerwatch.util.AwsPartition;
import io.layerwatch.util.Json;
import io.layerwatch.util.SafeText;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A {@link Finding} as an AWS Security Finding Format (ASFF 2018-10-08) finding for
 * BatchImportFindings ({@link SdkModelConverter} turns that JSON into the SDK's {@code
 * AwsSecurityFinding}).
 *
 * <p>No wall clock: the same finding version always gives the same JSON. CreatedAt and
 * FirstObservedAt are the first event time, UpdatedAt and LastObservedAt the last one, so a
 * re-import changes nothing while a folded episode (same id, later last event) replaces the older
 * version (Security Hub ignores imports whose UpdatedAt is not later than the stored one).
 *
 * <p>Limits (AwsSecurityFinding API reference, ASFF user guide) are applied while mapping: strings
 * are cut (never inside a surrogate pair) and marked with an ellipsis, lists and maps are capped.
 */
public final class AsffMapper implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String SCHEMA_VERSION = "2018-10-08";
    public static final String PRODUCT_NAME = "LayerWatch";
    public static final String VERSION = version();

    /** GeneratorId prefix: "layerwatch/untrusted-network". */
    public static final String GENERATOR_PREFIX = "layerwatch/";

    /** ProductFields key prefix. */
    public static final String FIELD_PREFIX = "layerwatch/";

    static final int MAX_ID = 512;
    static final int MAX_TITLE = 256;
    static final int MAX_DESCRIPTION = 1024;
    static final int MAX_REMEDIATION_TEXT = 512;
    static final int MAX_TYPES = 50;
    static final int MAX_REQUIREMENTS = 32;
    static final int MAX_RESOURCES = 32;
    static final int MAX_FIELD_KEY = 128;
    static final int MAX_FIELD_VALUE = 2048;

    /** Resource.Details.Other values must be shorter than 1024 characters. */
    static final int MAX_OTHER_VALUE = 1023;

    /**
     * ProductFields allow 50 pairs; Security Hub adds its own aws/securityhub/* keys, so we use at
     * most 40.
     */
    static final int MAX_OWN_FIELDS = 40;

    static final int MAX_IMAGES = 10;

    /** AwsSecurityFinding.RelatedFindings: at most 10 items. */
    static final int MAX_RELATED_FINDINGS = 10;

    /** BatchImportFindings: 240 KB per finding. */
    public static final long MAX_FINDING_BYTES = 240_000;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern IPV4 =
            Pattern.compile(
                    "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");
    private static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");

    /**
     * ASFF's TTPs categories: the ATT&CK tactics of these names classify as
     * TTPs/<tactic>/<technique>.
     */
    static final Set<String> TTP_CATEGORIES =
            Set.of(
                    "Initial Access",
                    "Execution",
                    "Persistence",
                    "Privilege Escalation",
                    "Defense Evasion",
                    "Credential Access",
                    "Discovery",
                    "Lateral Movement",
                    "Collection",
                    "Command and Control");

    /** ATT&CK tactics without a TTPs category, and the Effects category that says the same. */
    static final Map<String, String> EFFECTS =
            Map.of(
                    "Exfiltration",
                    "Effects/Data Exfiltration",
                    "Impact",
                    "Effects/Data Destruction");

    private static final List<String> UNKNOWN_RULE_TYPES = List.of("Unusual Behaviors");

    private final String hubAccountId;
    private final String hubRegion;
    private final Map<String, List<String>> compliance;
    private final long maxBytes;

    /**
     * @param hubAccountId the account findings are imported into; null: each finding's own account
     *     ({@link SecurityHubTarget} sets the hub account at send time)
     * @param hubRegion the Security Hub region (of the client); null: each finding's own region
     * @param compliance related requirements per rule id; null: {@link #defaultCompliance()}
     */
    public AsffMapper(String hubAccountId, String hubRegion, Map<String, List<String>> compliance) {
        this(hubAccountId, hubRegion, compliance, MAX_FINDING_BYTES);
    }

    AsffMapper(
            String hubAccountId,
            String hubRegion,
            Map<String, List<String>> compliance,
            long maxBytes) {
        this.hubAccountId = blankToNull(hubAccountId);
        this.hubRegion = blankToNull(hubRegion);
        this.compliance = copy(compliance == null ? defaultCompliance() : compliance);
        this.maxBytes = maxBytes;
    }

    /** The built-in related requirements per rule id (the rule catalog's). */
    public static Map<String, List<String>> defaultCompliance() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        RuleCatalog.rules().forEach(r -> out.put(r.id(), r.compliance()));
        return out;
    }

    /** The ASFF Types of a rule's findings (see {@link #types(List, String)}). */
    public static List<String> types(String ruleId) {
        return types(RuleCatalog.attack(ruleId), ruleId);
    }

    /**
     * ASFF Types: per ATT&CK technique {@code TTPs/<tactic>} and {@code TTPs/<tactic>/<id> <name>}
     * (namespace/category/classifier) when the tactic is a TTPs category, else its Effects
     * category; then the rule's other types from the catalog. "Unusual Behaviors" when that leaves
     * none.
     */
    static List<String> types(List<AttackTechnique> attack, String ruleId) {
        Set<String> out = new LinkedHashSet<>();
        for (AttackTechnique t : attack) {
            if (TTP_CATEGORIES.contains(t.tacticName())) {
                out.add("TTPs/" + t.tacticName());
                out.add("TTPs/" + t.tacticName() + "/" + t.technique() + " " + t.name());
            } else if (EFFECTS.containsKey(t.tacticName())) {
                out.add(EFFECTS.get(t.tacticName()));
            }
        }
        RuleCatalog.find(ruleId).ifPresent(r -> out.addAll(r.asffTypes()));
        return out.isEmpty() ? UNKNOWN_RULE_TYPES : List.copyOf(out);
    }

    /** The finding as compact ASFF JSON, within {@link #MAX_FINDING_BYTES}. */
    public String toJson(Finding f) {
        ObjectNode asff = toAsff(f);
        String json = asff.toString();
        ObjectNode fields = (ObjectNode) asff.get("ProductFields");
        List<String> droppable = droppableFields(fields);
        int dropped = 0;
        while (bytes(json) > maxBytes && dropped < droppable.size()) {
            fields.remove(droppable.get(dropped++));
            fields.put(FIELD_PREFIX + "trimmedFields", String.valueOf(dropped));
            json = asff.toString();
        }
        return json;
    }

    /** The default product of an account in a region: the only one that account may import into. */
    public static String productArn(String region, String account) {
        return "arn:"
                + AwsPartition.of(region)
                + ":securityhub:"
                + region
                + ":"
                + account
                + ":product/"
                + account
                + "/default";
    }

    /** The finding as an ASFF JSON object. */
    public ObjectNode toAsff(Finding f) {
        Optional<RuleCatalog.Rule> rule = RuleCatalog.find(f.ruleId());
        boolean failedCheck = rule.map(RuleCatalog.Rule::failedCheck).orElse(false);
        String region = hubRegion != null ? hubRegion : orEmpty(f.region());
        String account = hubAccountId != null ? hubAccountId : findingAccount(f);
        Instant updated = f.lastEventTime() != null ? f.lastEventTime() : f.firstEventTime();
        Instant created = f.firstEventTime() != null ? f.firstEventTime() : updated;
        String title =
                nonBlank(cut(oneLine(f.title()), MAX_TITLE), PRODUCT_NAME + " " + f.ruleId());
        ArrayNode types = strings(types(f.attack(), f.ruleId()), MAX_TYPES);
        ObjectNode severity =
                NODES.objectNode()
                        .put("Label", f.severity().name())
                        .put("Original", f.severity().name());

        ObjectNode a = NODES.objectNode();
        a.put("SchemaVersion", SCHEMA_VERSION);
        a.put("Id", cut(f.id(), MAX_ID));
        a.put("ProductArn", productArn(region, account));
        a.put("ProductName", PRODUCT_NAME);
        a.put("CompanyName", PRODUCT_NAME);
        a.put("GeneratorId", GENERATOR_PREFIX + f.ruleId());
        a.put("AwsAccountId", account);
        a.set("Types", types);
        a.put("FirstObservedAt", created.toString());
        a.put("LastObservedAt", updated.toString());
        a.put("CreatedAt", created.toString());
        a.put("UpdatedAt", updated.toString());
        a.set("Severity", severity);
        a.put("Title", title);
        Optional<Incident> incident = Incident.of(f);
        a.put(
                "Description",
                nonBlank(
                        cut(
                                oneLine(
                                        incident.map(i -> description(f, i))
                                                .orElse(f.description())),
                                MAX_DESCRIPTION),
                        title));
        ObjectNode recommendation =
                a.putObject("Remediation")
                        .putObject("Recommendation")
                        .put(
                                "Text",
                                cut(RuleCatalog.recommendation(f.ruleId()), MAX_REMEDIATION_TEXT));
        rule.map(RuleCatalog.Rule::recommendationUrl)
                .ifPresent(url -> recommendation.put("Url", url));
        a.set("ProductFields", productFields(f));
        a.set("Resources", resources(f));
        incident.ifPresent(
                i -> a.set("RelatedFindings", relatedFindings(i, productArn(region, account))));
        ObjectNode network = network(f.sourceIp());
        if (network != null) {
            a.set("Network", network);
        }
        List<String> requirements = compliance.getOrDefault(f.ruleId(), List.of());
        if (!requirements.isEmpty() || failedCheck) {
            ObjectNode c = a.putObject("Compliance");
            if (failedCheck) {
                c.put("Status", "FAILED");
            }
            if (!requirements.isEmpty()) {
                c.set("RelatedRequirements", strings(requirements, MAX_REQUIREMENTS));
            }
        }
        ObjectNode provider = a.putObject("FindingProviderFields");
        provider.set("Severity", severity.deepCopy());
        provider.set("Types", types.deepCopy());
        a.put("RecordState", "ACTIVE");
        return a;
    }

    // ---- incidents

    /**
     * The story, then the span and size: "pulled ..., then made ... (3 findings of 3 rules, 10:00 -
     * 10:50)".
     */
    private static String description(Finding f, Incident i) {
        return (i.story() == null ? f.description() : i.story())
                + " ("
                + IncidentText.size(i)
                + ", "
                + IncidentText.span(f)
                + ")";
    }

    /**
     * The members as RelatedFindings: Id as each member's own finding has it, ProductArn the
     * incident's (every LayerWatch finding of a hub is imported under one product; {@link
     * SecurityHubTarget} sets the hub's). Over {@link #MAX_RELATED_FINDINGS} members: the most
     * severe, earliest first among equals, kept in time order (all member ids are in ProductFields
     * details/memberIds).
     */
    static ArrayNode relatedFindings(Incident incident, String productArn) {
        List<Incident.Member> members = incident.members();
        Set<Incident.Member> kept =
                new LinkedHashSet<>(
                        members.stream()
                                .sorted(Comparator.comparing(Incident.Member::severity).reversed())
                                .limit(MAX_RELATED_FINDINGS)
                                .toList());
        ArrayNode out = NODES.arrayNode();
        members.stream()
                .filter(kept::contains)
                .forEach(
                        m ->
                                out.addObject()
                                        .put("ProductArn", productArn)
                                        .put("Id", cut(m.id(), MAX_ID)));
        return out;
    }

    // ---- ProductFields

    private ObjectNode productFields(Finding f) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("ruleId", f.ruleId());
        // Before details/*: never cut by the field cap.
        m.put("attack/techniques", join(f.attack().stream().map(AttackTechnique::technique)));
        m.put("attack/tactics", join(f.attack().stream().map(AttackTechnique::tactic)));
        m.put("findingId", f.id());
        m.put("key", f.key());
        m.put("eventCount", String.valueOf(f.eventCount()));
        m.put("eventIds", joinCapped(f.eventIds()));
        m.put("version", VERSION);
        m.put(
                "accountId",
                f.accountId() != null
                        ? f.accountId()
                        : findingAccount(f)); // AwsAccountId is the hub's
        m.put("region", f.region());
        FindingPrincipal p = f.principal();
        if (p != null) {
            m.put("principal/arn", p.arn());
            m.put("principal/type", p.type());
            m.put("principal/name", p.name());
            m.put("principal/accountId", p.accountId());
            m.put("principal/accessKeyId", p.accessKeyId());
            m.put("principal/sessionName", p.sessionName());
        }
        if (f.repository() != null) {
            m.put("repository/name", f.repository().name());
            m.put("repository/registryId", f.repository().registryId());
        }
        m.put("sourceIp", f.sourceIp());
        m.put("userAgent", f.userAgent());
        if (f.details() != null) {
            f.details()
                    .forEach(
                            (k, v) ->
                                    m.put(
                                            "details/" + k,
                                            v instanceof String string ? string : Json.write(v)));
        }
        ObjectNode fields = NODES.objectNode();
        for (Map.Entry<String, String> e : m.entrySet()) {
            if (fields.size() >= MAX_OWN_FIELDS) {
                break;
            }
            if (e.getValue() != null && !e.getValue().isBlank()) {
                fields.put(
                        cut(FIELD_PREFIX + SafeText.escape(e.getKey()), MAX_FIELD_KEY),
                        cut(SafeText.escape(e.getValue()), MAX_FIELD_VALUE));
            }
        }
        return fields;
    }

    /** Distinct values joined by commas. */
    private static String join(Stream<String> values) {
        return values.distinct().collect(Collectors.joining(","));
    }

    /** Ids joined by commas, as many as fit one value, then "+N more". */
    static String joinCapped(List<String> ids) {
        if (ids == null || ids.isEmpty()) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < ids.size(); i++) {
            String more = ",+" + (ids.size() - i) + " more";
            String next = (i == 0 ? "" : ",") + ids.get(i);
            if (out.length() + next.length() + (i == ids.size() - 1 ? 0 : more.length())
                    > MAX_FIELD_VALUE) {
                return out.append(more).toString();
            }
            out.append(next);
        }
        return out.toString();
    }

    /**
     * Trimmed first when a finding is too large: details (last first), then the long descriptive
     * fields.
     */
    private static List<String> droppableFields(ObjectNode fields) {
        List<String> details = new ArrayList<>();
        fields.fieldNames()
                .forEachRemaining(
                        k -> {
                            if (k.startsWith(FIELD_PREFIX + "details/")) {
                                details.add(0, k);
                            }
                        });
        details.add(FIELD_PREFIX + "eventIds");
        details.add(FIELD_PREFIX + "userAgent");
        return details;
    }

    // ---- Resources

    private ArrayNode resources(Finding f) {
        String region = orEmpty(f.region());
        String partition = AwsPartition.of(region);
        ArrayNode out = NODES.arrayNode();
        if (f.repository() != null && f.repository().name() != null) {
            String registry =
                    SafeText.escape(
                            f.repository().registryId() != null
                                    ? f.repository().registryId()
                                    : f.accountId());
            String name = SafeText.escape(f.repository().name());
            String repositoryArn =
                    "arn:" + partition + ":ecr:" + region + ":" + registry + ":repository/" + name;
            ObjectNode repo =
                    resource(out, "AwsEcrRepository", repositoryArn, partition, region)
                            .putObject("Details")
                            .putObject("AwsEcrRepository");
            repo.put("Arn", repositoryArn).put("RepositoryName", name);
            for (Image image : images(f)) {
                ObjectNode details =
                        resource(
                                        out,
                                        "AwsEcrContainerImage",
                                        repositoryArn + "/" + image.digest(),
                                        partition,
                                        region)
                                .putObject("Details")
                                .putObject("AwsEcrContainerImage");
                details.put("RegistryId", registry)
                        .put("RepositoryName", name)
                        .put("ImageDigest", image.digest());
                if (!image.tags().isEmpty()) {
                    details.set("ImageTags", strings(image.tags(), Integer.MAX_VALUE));
                }
            }
        } else {
            String registry = f.accountId() != null ? SafeText.escape(f.accountId()) : hubAccountId;
            if (registry != null) {
                resource(out, "AwsAccount", "AWS::::Account:" + registry, partition, region);
            }
        }
        principalResource(out, f.principal(), partition, region);
        if (out.isEmpty()) {
            resource(
                    out,
                    "Other",
                    SafeText.escape(f.key() != null ? f.key() : f.id()),
                    partition,
                    region);
        }
        while (out.size() > MAX_RESOURCES) {
            out.remove(out.size() - 1);
        }
        return out;
    }

    private static void principalResource(
            ArrayNode out, FindingPrincipal p, String partition, String region) {
        if (p == null || p.arn() == null || "unknown".equals(p.arn())) {
            return;
        }
        String arn = SafeText.escape(p.arn());
        if (arn.contains(":role/")) {
            resource(out, "AwsIamRole", arn, partition, region)
                    .putObject("Details")
                    .putObject("AwsIamRole")
                    .put("RoleName", arn.substring(arn.lastIndexOf('/') + 1));
        } else if (arn.contains(":user/")) {
            resource(out, "AwsIamUser", arn, partition, region)
                    .putObject("Details")
                    .putObject("AwsIamUser")
                    .put("UserName", arn.substring(arn.lastIndexOf('/') + 1));
        } else {
            ObjectNode other =
                    resource(out, "Other", arn, partition, region)
                            .putObject("Details")
                            .putObject("Other");
            other.put("principalType", cut(SafeText.escape(p.type()), MAX_OTHER_VALUE));
            if (p.name() != null) {
                other.put("principalName", cut(SafeText.escape(p.name()), MAX_OTHER_VALUE));
            }
        }
    }

    private static ObjectNode resource(
            ArrayNode out, String type, String id, String partition, String region) {
        ObjectNode r = out.addObject().put("Type", type).put("Id", id).put("Partition", partition);
        if (!region.isEmpty()) {
            r.put("Region", region);
        }
        return r;
    }

    private record Image(String digest, List<String> tags) {}

    /**
     * Images named by the details: imageDigest/imageTags, or scans[] (policy-change-after-scan).
     */
    private static List<Image> images(Finding f) {
        if (f.details() == null) {
            return List.of();
        }
        JsonNode details = Json.MAPPER.valueToTree(f.details());
        List<JsonNode> sources = new ArrayList<>();
        sources.add(details);
        details.path("scans").forEach(sources::add);
        Map<String, Image> out = new LinkedHashMap<>();
        for (JsonNode s : sources) {
            String digest = SafeText.escapeOrNull(s.path("imageDigest").asText(null));
            if (digest != null && !digest.isBlank() && out.size() < MAX_IMAGES) {
                out.putIfAbsent(digest, new Image(digest, tags(s.path("imageTags"))));
            }
        }
        return List.copyOf(out.values());
    }

    @SuppressWarnings("StringSplitter") // empty tags after the last comma are dropped
    private static List<String> tags(JsonNode node) {
        Set<String> out = new LinkedHashSet<>();
        if (node.isArray()) {
            node.forEach(t -> out.add(t.asText()));
        } else if (node.isTextual()) {
            for (String t : node.asText().split(",")) {
                out.add(t.trim());
            }
        }
        out.removeIf(String::isEmpty);
        return out.stream().map(SafeText::escape).toList();
    }

    // ---- Network

    /** Network (inbound) with SourceIpV4 or SourceIpV6 when the source is an IP literal. */
    static ObjectNode network(String sourceIp) {
        if (sourceIp == null) {
            return null;
        }
        if (IPV4.matcher(sourceIp).matches()) {
            return NODES.objectNode().put("Direction", "IN").put("SourceIpV4", sourceIp);
        }
        if (sourceIp.indexOf(':') >= 0 && IPV6_CHARS.matcher(sourceIp).matches()) {
            try {
                InetAddress.getByName(sourceIp); // a literal with ':' is parsed, never looked up
                return NODES.objectNode().put("Direction", "IN").put("SourceIpV6", sourceIp);
            } catch (UnknownHostException e) {
                return null;
            }
        }
        return null;
    }

    // ---- helpers

    /**
     * The account the finding concerns: its event's account, else the registry's, else the
     * caller's.
     */
    private static String findingAccount(Finding f) {
        for (String candidate :
                new String[] {
                    f.accountId(),
                    f.repository() == null ? null : f.repository().registryId(),
                    f.principal() == null ? null : f.principal().accountId()
                }) {
            if (candidate != null && ACCOUNT_ID.matcher(candidate).matches()) {
                return candidate;
            }
        }
        return orEmpty(f.accountId()); // Security Hub rejects it: the entry is dead-lettered with
        // the reason
    }

    /**
     * Control characters (line breaks, tabs) as spaces: ASFF text attributes are single-line
     * patterns; other unsafe characters (bidi, zero-width) as visible escapes.
     */
    private static String oneLine(String s) {
        return s == null ? null : SafeText.escape(s.replaceAll("\\p{Cntrl}+", " ").strip());
    }

    private static String nonBlank(String s, String fallback) {
        return s == null || s.isBlank() ? fallback : s;
    }

    private static ArrayNode strings(List<String> values, int max) {
        ArrayNode out = NODES.arrayNode();
        new LinkedHashSet<>(values)
                .stream().filter(v -> v != null && !v.isBlank()).limit(max).forEach(out::add);
        return out;
    }

    private static Map<String, List<String>> copy(Map<String, List<String>> m) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v == null ? List.of() : List.copyOf(v)));
        return out;
    }

    private static long bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static String version() {
        String v = AsffMapper.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0";
    }
}
