package io.layerwatch.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads the built-in rules file (rules/layerwatch-rules.yaml in the jar) and, optionally, a user
 * file that overrides it key by key. Validation is strict: each section declares its keys as a
 * {@link ConfigSchema} (sinks and remediation in their own classes); unknown keys (with the closest
 * valid key suggested), bad CIDRs, durations, severities and counts fail with file, key path and
 * problem.
 */
public final class RulesConfigLoader {

    public static final String BUILT_IN = "rules/layerwatch-rules.yaml";

    static final String EVENT_TIME = "eventTime";
    static final String ALLOWLIST = "allowlist";
    static final String RULES = "rules";
    static final String VERSION = "version";
    static final String ENABLED = "enabled";
    static final String SEVERITY = "severity";
    static final String SINKS = "sinks";
    static final String POLICY = "policy";
    static final String REMEDIATION = RemediationConfig.SECTION;
    static final String INPUT = "input";
    static final String CLOUDWATCH_LOGS = "cloudWatchLogs";
    static final String MAX_INFLATED_BYTES = "maxInflatedBytes";
    static final String INCIDENT = IncidentSettings.SECTION;
    static final String RAISE = "raise";

    /**
     * The input: section: which CloudWatch Logs senders the decoder accepts, and how large a
     * payload may inflate (read at startup only).
     */
    static final ConfigSchema INPUT_SCHEMA =
            ConfigSchema.builder()
                    .mapping(
                            CLOUDWATCH_LOGS,
                            ConfigSchema.builder()
                                    .value("owners", ParamType.ACCOUNT_LIST)
                                    .value("logGroups", ParamType.LOG_GROUP_LIST)
                                    .build())
                    .value(MAX_INFLATED_BYTES, ParamType.BYTES)
                    .build();

    /** The top level: the sections are checked one by one after it (see {@link #validate}). */
    private static final ConfigSchema TOP_SCHEMA =
            ConfigSchema.builder()
                    .value(VERSION, ParamType.COUNT)
                    .section(EVENT_TIME)
                    .section(ALLOWLIST)
                    .section(RULES)
                    .section(SINKS)
                    .section(REMEDIATION)
                    .section(INPUT)
                    .section(INCIDENT)
                    .build();

    private static final ConfigSchema ALLOWLIST_SCHEMA =
            ConfigSchema.builder()
                    .values(ParamType.STRING_LIST, Allowlist.PRINCIPALS, Allowlist.REPOSITORIES)
                    .values(
                            ParamType.CIDR_LIST,
                            Allowlist.TRUSTED_CIDRS,
                            Allowlist.TRUSTED_CIDRS_ANY_ENDPOINT)
                    .value(Allowlist.TRUSTED_VPC_ENDPOINTS, ParamType.STRING_LIST)
                    .value(Allowlist.TRUSTED_ACCOUNTS, ParamType.ACCOUNT_LIST)
                    .value(Allowlist.ORGANIZATION_ID, ParamType.ORGANIZATION_ID)
                    .build();

    private static final ConfigSchema EVENT_TIME_SCHEMA =
            ConfigSchema.builder()
                    .values(ParamType.DURATION, "maxOutOfOrderness", "idleness")
                    .build();

    private static final ConfigSchema INCIDENT_SCHEMA =
            ConfigSchema.builder()
                    .value("window", ParamType.DURATION)
                    .value("minRules", ParamType.COUNT)
                    .value("minSeverity", ParamType.SEVERITY)
                    .section(RAISE)
                    .build();

    private static final ConfigSchema RAISE_SCHEMA =
            ConfigSchema.builder()
                    .values(ParamType.STRING_LIST, "exposure", "evasionOrImpact")
                    .build();

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private RulesConfigLoader() {}

    /** The built-in configuration. */
    public static RulesConfig builtIn() {
        return load(null);
    }

    /** The built-in configuration overridden by {@code userFile} (null for none). */
    public static RulesConfig load(Path userFile) {
        JsonNode defaults = readBuiltIn();
        validate(defaults, BUILT_IN + " (built-in)");
        if (userFile == null) {
            return build(defaults, BUILT_IN + " (built-in)");
        }
        String name = userFile.toString();
        JsonNode user = readFile(userFile);
        validate(user, name);
        return build(merge(defaults.deepCopy(), user), BUILT_IN + " (built-in) + " + name);
    }

    /** Parses YAML text as a user file named {@code name} (for tests and non-file sources). */
    public static RulesConfig fromYaml(String yaml, String name) {
        JsonNode user = parse(yaml.getBytes(StandardCharsets.UTF_8), name);
        validate(user, name);
        return build(merge(readBuiltIn().deepCopy(), user), BUILT_IN + " (built-in) + " + name);
    }

    private static JsonNode readBuiltIn() {
        try (InputStream in =
                RulesConfigLoader.class.getClassLoader().getResourceAsStream(BUILT_IN)) {
            if (in == null) {
                throw new ConfigException(BUILT_IN + ": missing from the classpath (broken build)");
            }
            return parse(in.readAllBytes(), BUILT_IN);
        } catch (IOException e) {
            throw new ConfigException(BUILT_IN + ": cannot read: " + e.getMessage());
        }
    }

    private static JsonNode readFile(Path file) {
        try {
            return parse(Files.readAllBytes(file), file.toString());
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": file not found");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
    }

    private static JsonNode parse(byte[] bytes, String name) {
        try {
            JsonNode node = YAML.readTree(bytes);
            if (node == null || node.isMissingNode() || node.isNull()) {
                return YAML.createObjectNode();
            }
            if (!node.isObject()) {
                throw new ConfigException(
                        name
                                + ": the top level must be a mapping of keys, found "
                                + ParamType.describe(node));
            }
            return node;
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            String where =
                    loc == null
                            ? ""
                            : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
            throw new ConfigException(
                    name + ": invalid YAML" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException(name + ": cannot read: " + e.getMessage());
        }
    }

    // ---- validation -----------------------------------------------------------------------------

    private static void validate(JsonNode root, String name) {
        List<String> errors = new ArrayList<>();
        TOP_SCHEMA.check(root, "", errors);
        JsonNode incident = root.get(INCIDENT);
        if (incident != null) {
            INCIDENT_SCHEMA.check(incident, INCIDENT, errors);
            JsonNode raise = incident.get(RAISE);
            if (raise != null && raise.isObject()) {
                RAISE_SCHEMA.check(raise, INCIDENT + "." + RAISE, errors);
                checkRaise(raise, errors);
            }
            JsonNode minRules = incident.get("minRules");
            if (minRules != null && minRules.isIntegralNumber() && minRules.asInt() < 2) {
                errors.add(
                        INCIDENT
                                + ".minRules: "
                                + minRules.asInt()
                                + " must be at least 2 (an incident links rules)");
            }
        }
        JsonNode input = root.get(INPUT);
        if (input != null) {
            INPUT_SCHEMA.check(input, INPUT, errors);
        }
        JsonNode sinks = root.get(SINKS);
        if (sinks != null) {
            SinksConfig.SCHEMA.check(sinks, SINKS, errors);
            checkWebhook(sinks.path("webhook"), SINKS + ".webhook", errors);
        }
        JsonNode remediation = root.get(REMEDIATION);
        if (remediation != null) {
            RemediationConfig.SCHEMA.check(remediation, REMEDIATION, errors);
        }
        JsonNode eventTime = root.get(EVENT_TIME);
        if (eventTime != null) {
            EVENT_TIME_SCHEMA.check(eventTime, EVENT_TIME, errors);
        }
        JsonNode allowlist = root.get(ALLOWLIST);
        if (allowlist != null) {
            ALLOWLIST_SCHEMA.check(allowlist, ALLOWLIST, errors);
        }
        JsonNode rules = root.get(RULES);
        if (rules != null) {
            if (!rules.isObject()) {
                errors.add(
                        RULES + ": " + ParamType.describe(rules) + " is not a mapping of rule ids");
            } else {
                Iterator<Map.Entry<String, JsonNode>> it = rules.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> rule = it.next();
                    String path = RULES + "." + rule.getKey();
                    if (!RuleCatalog.exists(rule.getKey())) {
                        errors.add(
                                path
                                        + ": unknown rule id"
                                        + ConfigSchema.suggestion(
                                                rule.getKey(), RuleCatalog.ids()));
                        continue;
                    }
                    ruleSchema(rule.getKey()).check(rule.getValue(), path, errors);
                    JsonNode ruleAllowlist = rule.getValue().get(ALLOWLIST);
                    if (ruleAllowlist != null) {
                        ALLOWLIST_SCHEMA.check(ruleAllowlist, path + "." + ALLOWLIST, errors);
                    }
                }
            }
        }
        if (!errors.isEmpty()) {
            StringBuilder msg = new StringBuilder();
            for (String error : errors) {
                msg.append(msg.length() == 0 ? "" : "\n").append(name).append(": ").append(error);
            }
            throw new ConfigException(msg.toString());
        }
    }

    /** A rule's keys: enabled, severity, its parameters, and its own allowlist (checked apart). */
    private static ConfigSchema ruleSchema(String id) {
        ConfigSchema.Builder keys =
                ConfigSchema.builder()
                        .value(ENABLED, ParamType.BOOLEAN)
                        .value(SEVERITY, ParamType.SEVERITY);
        RuleCatalog.params(id).forEach(keys::value);
        return keys.section(ALLOWLIST).build();
    }

    /** Each entry of incident.raise names an ATT&CK tactic (TA0010) or a rule. */
    private static void checkRaise(JsonNode raise, List<String> errors) {
        for (String key : RAISE_SCHEMA.keys()) {
            JsonNode list = raise.get(key);
            if (list == null || !list.isArray()) {
                continue;
            }
            for (JsonNode entry : list) {
                String v = entry.asText();
                if (!v.matches("TA\\d{4}") && !RuleCatalog.exists(v)) {
                    errors.add(
                            INCIDENT
                                    + "."
                                    + RAISE
                                    + "."
                                    + key
                                    + ": '"
                                    + v
                                    + "' is neither an ATT&CK tactic id (TA0010) nor a rule id"
                                    + ConfigSchema.suggestion(v, RuleCatalog.ids()));
                }
            }
        }
    }

    /** The webhook's url and headers; problems never quote them (a Slack URL is the secret). */
    private static void checkWebhook(JsonNode webhook, String path, List<String> errors) {
        JsonNode url = webhook.path("url");
        if (url.isTextual()) {
            String problem = HttpEndpoints.urlProblem(url.asText());
            if (problem != null) {
                errors.add(path + ".url: " + problem);
            }
        }
        webhook.path("headers")
                .fields()
                .forEachRemaining(
                        h -> {
                            String problem =
                                    h.getValue().isTextual()
                                            ? HttpEndpoints.headerProblem(
                                                    h.getKey(), h.getValue().asText())
                                            : null;
                            if (problem != null) {
                                errors.add(path + ".headers: " + problem);
                            }
                        });
    }

    // ---- merge and build ------------------------------------------------------------------------

    /** Mappings merge key by key; anything else (lists included) is replaced by the override. */
    static JsonNode merge(JsonNode base, JsonNode override) {
        if (!(base instanceof ObjectNode out) || !override.isObject()) {
            return override;
        }
        override.fields()
                .forEachRemaining(
                        f -> {
                            JsonNode existing = out.get(f.getKey());
                            out.set(
                                    f.getKey(),
                                    existing == null
                                            ? f.getValue()
                                            : merge(existing, f.getValue()));
                        });
        return out;
    }

    private static RulesConfig build(JsonNode root, String source) {
        try {
            Allowlist global = allowlist(root.path(ALLOWLIST));
            Map<String, RuleSettings> rules = new LinkedHashMap<>();
            for (String id : RuleCatalog.ids()) {
                JsonNode node = root.path(RULES).path(id);
                if (node.isMissingNode()) {
                    throw new ConfigException(source + ": " + RULES + "." + id + ": missing");
                }
                Map<String, Serializable> params = new LinkedHashMap<>();
                for (Map.Entry<String, ParamType> p : RuleCatalog.params(id).entrySet()) {
                    JsonNode value = node.get(p.getKey());
                    if (value == null) {
                        throw new ConfigException(
                                source + ": " + RULES + "." + id + "." + p.getKey() + ": missing");
                    }
                    params.put(p.getKey(), p.getValue().parse(value));
                }
                boolean enabled = (Boolean) ParamType.BOOLEAN.parse(node.path(ENABLED));
                Severity severity = (Severity) ParamType.SEVERITY.parse(node.path(SEVERITY));
                rules.put(
                        id,
                        new RuleSettings(
                                id,
                                enabled,
                                severity,
                                params,
                                global.merge(allowlist(node.path(ALLOWLIST)))));
            }
            JsonNode eventTime = root.path(EVENT_TIME);
            return new RulesConfig(
                    source,
                    (Duration) ParamType.DURATION.parse(eventTime.path("maxOutOfOrderness")),
                    (Duration) ParamType.DURATION.parse(eventTime.path("idleness")),
                    global,
                    rules,
                    sinks(root.path(SINKS), rules),
                    RemediationConfig.from(root.path(REMEDIATION)),
                    cloudWatchLogs(root.path(INPUT).path(CLOUDWATCH_LOGS)),
                    (Long) ParamType.BYTES.parse(root.path(INPUT).path(MAX_INFLATED_BYTES)),
                    incident(root.path(INCIDENT)));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source + ": " + e.getMessage());
        }
    }

    private static SinksConfig sinks(JsonNode node, Map<String, RuleSettings> rules) {
        Set<String> changingRules = new LinkedHashSet<>();
        for (RuleCatalog.Rule rule : RuleCatalog.rules()) {
            if (rule.updatesFindings() || !rules.get(rule.id()).foldWindow().isZero()) {
                changingRules.add(rule.id());
            }
        }
        JsonNode d = node.path("delivery");
        JsonNode dl = node.path("deadLetter");
        JsonNode aws = node.path("aws");
        Map<String, SinksConfig.Sink> sinks = new LinkedHashMap<>();
        for (String name : SinksConfig.SINK_NAMES) {
            JsonNode s = node.path(name);
            ConfigSchema schema = ((ConfigSchema.Mapping) SinksConfig.SCHEMA.entry(name)).schema();
            Map<String, Serializable> options = new LinkedHashMap<>();
            s.fields()
                    .forEachRemaining(
                            f -> {
                                ConfigSchema.Entry type = schema.entry(f.getKey());
                                if (type instanceof ConfigSchema.Value v
                                        && !ENABLED.equals(f.getKey())) {
                                    options.put(f.getKey(), v.type().parse(f.getValue()));
                                } else if (type instanceof ConfigSchema.Choice) {
                                    options.put(
                                            f.getKey(), ConfigSchema.choice(f.getValue().asText()));
                                }
                            });
            JsonNode p = s.path(POLICY);
            SinksConfig.Policy policy =
                    new SinksConfig.Policy(
                            p.has("minSeverity")
                                    ? (Severity) ParamType.SEVERITY.parse(p.get("minSeverity"))
                                    : Severity.INFORMATIONAL,
                            new LinkedHashSet<>(
                                    strings(p.get("includeRules"), ParamType.STRING_LIST)),
                            new LinkedHashSet<>(
                                    strings(p.get("excludeRules"), ParamType.STRING_LIST)),
                            p.has("suppressionWindow")
                                    ? (Duration)
                                            ParamType.DURATION.parse(p.get("suppressionWindow"))
                                    : null,
                            p.has("incidents")
                                    ? SinksConfig.Incidents.valueOf(
                                            ConfigSchema.choice(p.get("incidents").asText()))
                                    : SinksConfig.Incidents.defaultFor(name));
            for (String rule : policy.includeRules()) {
                requireRule(rule, SINKS + "." + name + ".policy.includeRules");
            }
            for (String rule : policy.excludeRules()) {
                requireRule(rule, SINKS + "." + name + ".policy.excludeRules");
            }
            sinks.put(
                    name,
                    new SinksConfig.Sink(name, s.path(ENABLED).asBoolean(false), options, policy));
        }
        return new SinksConfig(
                new SinksConfig.Delivery(
                        d.path("maxAttempts").asInt(5),
                        duration(d, "baseDelay", "200ms"),
                        duration(d, "maxDelay", "20s"),
                        duration(d, "maxTimeInBuffer", "1s")),
                new SinksConfig.DeadLetter(
                        ConfigSchema.choice(dl.path("type").asText("file")),
                        text(dl, "path"),
                        text(dl, "bucket"),
                        text(dl, "prefix"),
                        text(dl, "queueUrl")),
                new SinksConfig.Aws(
                        text(aws, "region"),
                        text(aws, "endpoint"),
                        duration(aws, "callTimeout", "30s"),
                        duration(aws, "attemptTimeout", "10s")),
                sinks,
                changingRules);
    }

    private static IncidentSettings incident(JsonNode node) {
        JsonNode raise = node.path(RAISE);
        return new IncidentSettings(
                (Duration) ParamType.DURATION.parse(node.path("window")),
                (Integer) ParamType.COUNT.parse(node.path("minRules")),
                (Severity) ParamType.SEVERITY.parse(node.path("minSeverity")),
                strings(raise.get("exposure"), ParamType.STRING_LIST),
                strings(raise.get("evasionOrImpact"), ParamType.STRING_LIST));
    }

    private static CloudWatchLogsSenders cloudWatchLogs(JsonNode node) {
        return new CloudWatchLogsSenders(
                strings(node.get("owners"), ParamType.ACCOUNT_LIST),
                CloudWatchLogsSenders.OWNERS_KEY,
                strings(node.get("logGroups"), ParamType.LOG_GROUP_LIST),
                CloudWatchLogsSenders.LOG_GROUPS_KEY);
    }

    private static void requireRule(String rule, String path) {
        if (!RuleCatalog.exists(rule) && !RemediationConfig.FAILED_RULE_ID.equals(rule)) {
            throw new IllegalArgumentException(
                    path
                            + ": unknown rule id '"
                            + rule
                            + "'"
                            + ConfigSchema.suggestion(rule, RuleCatalog.ids()));
        }
    }

    private static Duration duration(JsonNode node, String key, String fallback) {
        JsonNode v = node.get(key);
        return (Duration)
                ParamType.DURATION.parse(v != null ? v : YAML.getNodeFactory().textNode(fallback));
    }

    private static String text(JsonNode node, String key) {
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Allowlist allowlist(JsonNode node) {
        if (node.isMissingNode()) {
            return Allowlist.empty();
        }
        List<Glob> principals = globs(node.get(Allowlist.PRINCIPALS));
        List<Glob> repositories = globs(node.get(Allowlist.REPOSITORIES));
        List<Cidr> cidrs = cidrs(node.get(Allowlist.TRUSTED_CIDRS));
        List<Cidr> anyEndpoint = cidrs(node.get(Allowlist.TRUSTED_CIDRS_ANY_ENDPOINT));
        Set<String> vpces =
                new LinkedHashSet<>(
                        strings(node.get(Allowlist.TRUSTED_VPC_ENDPOINTS), ParamType.STRING_LIST));
        Set<String> accounts =
                new LinkedHashSet<>(
                        strings(node.get(Allowlist.TRUSTED_ACCOUNTS), ParamType.ACCOUNT_LIST));
        String org =
                node.has(Allowlist.ORGANIZATION_ID)
                        ? (String)
                                ParamType.ORGANIZATION_ID.parse(node.get(Allowlist.ORGANIZATION_ID))
                        : null;
        return new Allowlist(principals, repositories, cidrs, anyEndpoint, vpces, accounts, org);
    }

    @SuppressWarnings("unchecked")
    private static List<Cidr> cidrs(JsonNode node) {
        return node == null ? List.of() : (List<Cidr>) (List<?>) ParamType.CIDR_LIST.parse(node);
    }

    private static List<String> strings(JsonNode node, ParamType type) {
        return node == null ? List.of() : ParamType.strings(type.parse(node));
    }

    private static List<Glob> globs(JsonNode node) {
        List<Glob> out = new ArrayList<>();
        for (String s : strings(node, ParamType.STRING_LIST)) {
            out.add(new Glob(s));
        }
        return out;
    }
}
