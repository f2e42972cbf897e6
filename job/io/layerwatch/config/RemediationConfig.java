package io.layerwatch.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code remediation:} section of the config file: which findings trigger which response
 * actions, and the guardrails around them. Plain values only: the sinks package turns them into the
 * responder. Safe by default: the streaming job attaches no responder unless {@code enabled}, every
 * action is a dry run unless its {@code dryRun} is set to false, and no rule maps to anything but
 * {@code notify} unless configured.
 */
public final class RemediationConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String SECTION = "remediation";

    /**
     * The rule id of the findings the responder raises when an action fails after its retries. Not
     * a detection rule (not in {@link RuleCatalog}): sink policies may still name it.
     */
    public static final String FAILED_RULE_ID = "remediation-failed";

    public static final String NOTIFY = "notify";
    public static final String QUARANTINE_REPOSITORY = "quarantine-repository";
    public static final String REMOVE_EXPOSING_STATEMENTS = "remove-exposing-statements";
    public static final String DENY_LAYER_DOWNLOAD = "deny-layer-download";
    public static final String REVOKE_SESSIONS = "revoke-sessions";
    public static final String REGISTER_REGISTRY = "register-registry";

    /** Action names, a contract of the config file, the CLI and the audit log. */
    public static final List<String> ACTIONS =
            List.of(
                    NOTIFY,
                    QUARANTINE_REPOSITORY,
                    REMOVE_EXPOSING_STATEMENTS,
                    DENY_LAYER_DOWNLOAD,
                    REVOKE_SESSIONS,
                    REGISTER_REGISTRY);

    /**
     * Principals no action ever modifies, whatever the config says (under any path): root,
     * service-linked and SSO roles, the roles AWS Organizations, Control Tower and StackSets
     * administer accounts with, and the roles of LayerWatch's member StackSet. The remediation
     * roles in infra/ deny the same.
     */
    public static final List<String> ALWAYS_PROTECTED_PRINCIPALS =
            List.of(
                    "arn:*:iam::*:root",
                    "arn:*:iam::*:role/aws-service-role/*",
                    "arn:*:iam::*:role/AWSServiceRole*",
                    "arn:*:iam::*:role/aws-reserved/*",
                    "arn:*:iam::*:role/AWSReservedSSO_*",
                    "arn:*:iam::*:role/OrganizationAccountAccessRole",
                    "arn:*:iam::*:role/AWSControlTowerExecution",
                    "arn:*:iam::*:role/stacksets-exec-*",
                    "arn:*:iam::*:role/AWSCloudFormationStackSetExecutionRole",
                    "arn:*:iam::*:role/StackSet-layerwatch-member-*");

    /**
     * The customer-managed policy deny-layer-download attaches: infra/ creates it in every account.
     */
    public static final String DENY_POLICY_PATH = "/layerwatch/";

    public static final String DENY_POLICY_NAME = "LayerWatchDenyLayerDownload";

    /**
     * The role revoke-sessions assumes (its inline policy writes live in this opt-in role only).
     */
    public static final String DEFAULT_REVOKE_SESSIONS_ROLE = "LayerWatchRevokeSessions";

    /** Where {@code {account}} in a role ARN template is replaced by the target account. */
    public static final String ACCOUNT_PLACEHOLDER = "{account}";

    private static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");
    private static final Pattern POLICY_ARN =
            Pattern.compile(
                    "arn:aws[a-z-]*:iam::(\\d{12}|aws|\\{account}):policy/([\\w+=,.@-]+/)*[\\w+=,.@-]{1,128}");
    private static final Pattern ROLE_NAME = Pattern.compile("[\\w+=,.@-]{1,64}");
    private static final Pattern ROLE_ARN =
            Pattern.compile(
                    "arn:aws[a-z-]*:iam::(\\d{12}|\\{account}):role/([\\w+=,.@-]+/)*[\\w+=,.@-]{1,64}");

    /** Security Hub custom action ids: up to 20 alphanumeric characters. */
    private static final Pattern CUSTOM_ACTION_ID = Pattern.compile("[A-Za-z0-9]{1,20}");

    /** The keys of {@code remediation:}, checked by the loader. */
    static final ConfigSchema SCHEMA = schema();

    /** Which actions a rule's findings trigger, from which severity on. */
    public record RuleMapping(String ruleId, List<String> actions, Severity minSeverity)
            implements Serializable {
        public boolean admits(Severity s) {
            return s != null && s.atLeast(minSeverity);
        }
    }

    /** The role assumed in a target account (externalId optional). */
    public record AccountRole(String roleArn, String externalId) implements Serializable {}

    /**
     * Hourly limits on executed actions, across all accounts and per account. Each budget counts
     * apart: one per severity, and one per rule listed in {@code rules}, so cheap findings never
     * use up the budget of CRITICAL ones. {@code severities} and {@code rules} override the limits
     * of their budget.
     */
    public record RateLimit(
            int perHour,
            int perAccountPerHour,
            Map<String, RateLimit> severities,
            Map<String, RateLimit> rules)
            implements Serializable {
        public RateLimit(int perHour, int perAccountPerHour) {
            this(perHour, perAccountPerHour, Map.of(), Map.of());
        }

        /**
         * The budget a rule's finding of this severity counts against: "rule ID" when listed, else
         * the severity.
         */
        public String budget(String ruleId, Severity severity) {
            return ruleId != null && rules.containsKey(ruleId)
                    ? "rule " + ruleId
                    : severity == null ? Severity.INFORMATIONAL.name() : severity.name();
        }

        /** The limits of a budget (see {@link #budget}). */
        public RateLimit of(String budget) {
            RateLimit own =
                    budget.startsWith("rule ")
                            ? rules.get(budget.substring(5))
                            : severities.get(budget);
            return own == null ? this : own;
        }
    }

    /** One action's settings: dry run or not, plus its own options (register-registry has some). */
    public record ActionSettings(String name, boolean dryRun, Map<String, Serializable> options)
            implements Serializable {
        public String option(String key) {
            Object v = options.get(key);
            return v == null ? null : v.toString();
        }

        public Duration duration(String key, Duration fallback) {
            Object v = options.get(key);
            return v instanceof Duration duration ? duration : fallback;
        }
    }

    private final boolean enabled;
    private final String auditLog;
    private final RateLimit rateLimit;
    private final Duration idempotencyTtl;
    private final Severity failureSeverity;
    private final List<Glob> protectedPrincipals;
    private final List<Glob> protectedRepositories;
    private final List<String> breakGlassPrincipals;
    private final AccountRole defaultRole;
    private final Map<String, AccountRole> accountRoles;
    private final Map<String, RuleMapping> rules;
    private final Map<String, String> customActions;
    private final Map<String, ActionSettings> actions;

    public RemediationConfig(
            boolean enabled,
            String auditLog,
            RateLimit rateLimit,
            Duration idempotencyTtl,
            Severity failureSeverity,
            List<String> protectedPrincipals,
            List<String> protectedRepositories,
            List<String> breakGlassPrincipals,
            AccountRole defaultRole,
            Map<String, AccountRole> accountRoles,
            Map<String, RuleMapping> rules,
            Map<String, String> customActions,
            Map<String, ActionSettings> actions) {
        this.enabled = enabled;
        this.auditLog = auditLog;
        this.rateLimit = rateLimit;
        this.idempotencyTtl = idempotencyTtl;
        this.failureSeverity = failureSeverity;
        this.protectedPrincipals = globs(protectedPrincipals);
        this.protectedRepositories = globs(protectedRepositories);
        this.breakGlassPrincipals = List.copyOf(breakGlassPrincipals);
        this.defaultRole = defaultRole;
        this.accountRoles = Collections.unmodifiableMap(new LinkedHashMap<>(accountRoles));
        this.rules = Collections.unmodifiableMap(new LinkedHashMap<>(rules));
        this.customActions = Collections.unmodifiableMap(new LinkedHashMap<>(customActions));
        Map<String, ActionSettings> all = new LinkedHashMap<>();
        for (String a : ACTIONS) {
            all.put(a, actions.getOrDefault(a, new ActionSettings(a, true, Map.of())));
        }
        this.actions = Collections.unmodifiableMap(all);
    }

    /** The streaming job attaches the responder only when true; the CLI works regardless. */
    public boolean enabled() {
        return enabled;
    }

    /** The default audit log file of the CLI. */
    public String auditLog() {
        return auditLog;
    }

    public RateLimit rateLimit() {
        return rateLimit;
    }

    public Duration idempotencyTtl() {
        return idempotencyTtl;
    }

    public Severity failureSeverity() {
        return failureSeverity;
    }

    public List<String> breakGlassPrincipals() {
        return breakGlassPrincipals;
    }

    public Map<String, RuleMapping> rules() {
        return rules;
    }

    /** The mapping of a rule, or null when its findings only notify. */
    public RuleMapping rule(String ruleId) {
        return rules.get(ruleId);
    }

    /** Security Hub custom action id -> action name. */
    public Map<String, String> customActions() {
        return customActions;
    }

    public ActionSettings action(String name) {
        ActionSettings s = actions.get(name);
        if (s == null) {
            throw new IllegalArgumentException("unknown action " + name);
        }
        return s;
    }

    public Map<String, ActionSettings> actions() {
        return actions;
    }

    public AccountRole defaultRole() {
        return defaultRole;
    }

    public Map<String, AccountRole> accountRoles() {
        return accountRoles;
    }

    /** The role to assume in {@code account}, or null to use the default credentials. */
    public AccountRole roleFor(String account) {
        AccountRole explicit = account == null ? null : accountRoles.get(account);
        if (explicit != null) {
            return explicit;
        }
        if (defaultRole == null || defaultRole.roleArn() == null || account == null) {
            return null;
        }
        return new AccountRole(
                defaultRole.roleArn().replace(ACCOUNT_PLACEHOLDER, account),
                defaultRole.externalId());
    }

    /**
     * The role revoke-sessions assumes in {@code account}, or null for the default credentials:
     * {@code actions.revoke-sessions.assumeRole}, a role name in the account and partition of
     * {@link #roleFor} (with its external id), or a role ARN ({account} replaced).
     */
    public AccountRole revokeSessionsRoleFor(String account) {
        String role = revokeSessionsRole();
        AccountRole base = roleFor(account);
        if (role.startsWith("arn:")) {
            return account == null
                    ? null
                    : new AccountRole(
                            role.replace(ACCOUNT_PLACEHOLDER, account),
                            base == null ? null : base.externalId());
        }
        if (base == null) {
            return null;
        }
        String arn = base.roleArn();
        return new AccountRole(
                arn.substring(0, arn.indexOf(":role/") + 6) + role, base.externalId());
    }

    private String revokeSessionsRole() {
        String role = actions.get(REVOKE_SESSIONS).option("assumeRole");
        return role == null ? DEFAULT_REVOKE_SESSIONS_ROLE : role;
    }

    /**
     * The managed policy deny-layer-download attaches in {@code account}: {@code
     * actions.deny-layer-download.policyArn} ({account} replaced), by default {@code
     * arn:PARTITION:iam::ACCOUNT:policy/layerwatch/LayerWatchDenyLayerDownload}.
     */
    public String denyPolicyArn(String partition, String account) {
        String arn = actions.get(DENY_LAYER_DOWNLOAD).option("policyArn");
        return arn != null
                ? arn.replace(ACCOUNT_PLACEHOLDER, account)
                : "arn:"
                        + partition
                        + ":iam::"
                        + account
                        + ":policy"
                        + DENY_POLICY_PATH
                        + DENY_POLICY_NAME;
    }

    /**
     * Never modified, under any path: the always-protected principals, the configured ones, the
     * break-glass principals, and LayerWatch's own roles (the assumed responder roles, the
     * revoke-sessions role and the registry-connection role).
     */
    public boolean protectedPrincipal(String arn) {
        if (arn == null) {
            return false;
        }
        List<String> globs = new ArrayList<>(ALWAYS_PROTECTED_PRINCIPALS);
        globs.addAll(breakGlassPrincipals);
        if (defaultRole != null && defaultRole.roleArn() != null) {
            globs.add(defaultRole.roleArn());
        }
        accountRoles.values().forEach(r -> globs.add(r.roleArn()));
        String revoke = revokeSessionsRole();
        globs.add(revoke.startsWith("arn:") ? revoke : "arn:*:iam::*:role/" + revoke);
        String connection = actions.get(REGISTER_REGISTRY).option("connectionRoleArn");
        if (connection != null) {
            globs.add(connection);
        }
        return protectedPrincipals.stream().anyMatch(g -> g.matchesAnyPath(arn))
                || globs.stream()
                        .anyMatch(
                                g ->
                                        new Glob(g.replace(ACCOUNT_PLACEHOLDER, "*"))
                                                .matchesAnyPath(arn));
    }

    public boolean protectedRepository(String name) {
        return name != null && protectedRepositories.stream().anyMatch(g -> g.matches(name));
    }

    public List<String> protectedPrincipalGlobs() {
        return protectedPrincipals.stream().map(Glob::toString).toList();
    }

    public List<String> protectedRepositoryGlobs() {
        return protectedRepositories.stream().map(Glob::toString).toList();
    }

    /** A copy with one action's dry-run switch changed (tests, CLI overrides). */
    public RemediationConfig withDryRun(String action, boolean dryRun) {
        return withAction(new ActionSettings(action, dryRun, action(action).options()));
    }

    /** A copy switched on or off (runtime properties override the file). */
    public RemediationConfig withEnabled(boolean on) {
        return new RemediationConfig(
                on,
                auditLog,
                rateLimit,
                idempotencyTtl,
                failureSeverity,
                protectedPrincipalGlobs(),
                protectedRepositoryGlobs(),
                breakGlassPrincipals,
                defaultRole,
                accountRoles,
                rules,
                customActions,
                actions);
    }

    /**
     * A copy where every action is a dry run (a global "do not execute" switch; never the other way
     * round).
     */
    public RemediationConfig allDryRun() {
        RemediationConfig c = this;
        for (String a : responseActions()) {
            c = c.withDryRun(a, true);
        }
        return c;
    }

    /** Whether {@code name} is a valid IAM role name. */
    public static boolean isRoleName(String name) {
        return name != null && ROLE_NAME.matcher(name).matches();
    }

    /** A copy with one option of an action set (runtime properties override the file). */
    public RemediationConfig withActionOption(String action, String key, String value) {
        ActionSettings s = action(action);
        Map<String, Serializable> options = new LinkedHashMap<>(s.options());
        options.put(key, value);
        return withAction(new ActionSettings(action, s.dryRun(), options));
    }

    private RemediationConfig withAction(ActionSettings settings) {
        Map<String, ActionSettings> copy = new LinkedHashMap<>(actions);
        copy.put(settings.name(), settings);
        return new RemediationConfig(
                enabled,
                auditLog,
                rateLimit,
                idempotencyTtl,
                failureSeverity,
                protectedPrincipalGlobs(),
                protectedRepositoryGlobs(),
                breakGlassPrincipals,
                defaultRole,
                accountRoles,
                rules,
                customActions,
                copy);
    }

    /**
     * A copy assuming {@code roleArnTemplate} ({account} replaced) in accounts without a role of
     * their own.
     */
    public RemediationConfig withDefaultRole(String roleArnTemplate, String externalId) {
        return new RemediationConfig(
                enabled,
                auditLog,
                rateLimit,
                idempotencyTtl,
                failureSeverity,
                protectedPrincipalGlobs(),
                protectedRepositoryGlobs(),
                breakGlassPrincipals,
                roleArnTemplate == null ? null : new AccountRole(roleArnTemplate, externalId),
                accountRoles,
                rules,
                customActions,
                actions);
    }

    // ---- schema and parsing (called by RulesConfigLoader)
    // -----------------------------------------------------

    private static ConfigSchema schema() {
        ConfigSchema budget =
                ConfigSchema.builder()
                        .values(ParamType.COUNT, "perHour", "perAccountPerHour")
                        .build();
        ConfigSchema role =
                ConfigSchema.builder().values(ParamType.STRING, "roleArn", "externalId").build();
        ConfigSchema dryRunOnly = ConfigSchema.builder().value("dryRun", ParamType.BOOLEAN).build();
        ConfigSchema.Builder actions = ConfigSchema.builder();
        for (String a : ACTIONS) {
            if (!NOTIFY.equals(a)) {
                actions.mapping(a, dryRunOnly);
            }
        }
        actions.mapping(
                DENY_LAYER_DOWNLOAD,
                ConfigSchema.builder()
                        .all(dryRunOnly)
                        .value("policyArn", ParamType.STRING)
                        .build());
        actions.mapping(
                REVOKE_SESSIONS,
                ConfigSchema.builder()
                        .all(dryRunOnly)
                        .value("assumeRole", ParamType.STRING)
                        .build());
        actions.mapping(
                REGISTER_REGISTRY,
                ConfigSchema.builder()
                        .all(dryRunOnly)
                        .values(
                                ParamType.STRING,
                                "secretArn",
                                "connectionRoleArn",
                                "externalId",
                                "tokenPath",
                                "registriesPath")
                        .value("timeout", ParamType.DURATION)
                        .build());
        return ConfigSchema.builder()
                .value("enabled", ParamType.BOOLEAN)
                .value("auditLog", ParamType.STRING)
                .mapping(
                        "rateLimit",
                        ConfigSchema.builder()
                                .all(budget)
                                .named(
                                        "severities",
                                        k ->
                                                severityKey(k) != null
                                                        ? null
                                                        : "is not a severity ("
                                                                + Arrays.toString(Severity.values())
                                                                + ")",
                                        budget)
                                .named("rules", RemediationConfig::ruleIdProblem, budget)
                                .build())
                .value("idempotencyTtl", ParamType.DURATION)
                .value("failureSeverity", ParamType.SEVERITY)
                .mapping(
                        "protected",
                        ConfigSchema.builder()
                                .values(ParamType.STRING_LIST, "principals", "repositories")
                                .build())
                .value("breakGlassPrincipals", ParamType.STRING_LIST)
                .mapping(
                        "assumeRole",
                        ConfigSchema.builder()
                                .all(role)
                                .named(
                                        "accounts",
                                        k ->
                                                ACCOUNT_ID.matcher(k).matches()
                                                        ? null
                                                        : "is not a 12-digit AWS account id",
                                        role)
                                .build())
                .named(
                        "rules",
                        RemediationConfig::ruleIdProblem,
                        ConfigSchema.builder()
                                .value("actions", ParamType.STRING_LIST)
                                .value("minSeverity", ParamType.SEVERITY)
                                .build())
                .named(
                        "customActions",
                        k ->
                                CUSTOM_ACTION_ID.matcher(k).matches()
                                        ? null
                                        : "is not a Security Hub custom action id (1 to 20 letters and digits)",
                        ParamType.STRING)
                .mapping("actions", actions.build())
                .build();
    }

    private static String ruleIdProblem(String id) {
        return RuleCatalog.exists(id)
                ? null
                : "unknown rule id" + ConfigSchema.suggestion(id, RuleCatalog.ids());
    }

    /**
     * Builds the section from the merged (built-in + user) YAML; throws IllegalArgumentException
     * naming the key.
     */
    static RemediationConfig from(JsonNode node) {
        String p = SECTION + ".";
        JsonNode rate = node.path("rateLimit");
        JsonNode prot = node.path("protected");
        JsonNode assume = node.path("assumeRole");
        Map<String, AccountRole> accounts = new LinkedHashMap<>();
        assume.path("accounts")
                .fields()
                .forEachRemaining(
                        f -> {
                            String roleArn = text(f.getValue(), "roleArn");
                            if (roleArn == null) {
                                throw new IllegalArgumentException(
                                        p
                                                + "assumeRole.accounts."
                                                + f.getKey()
                                                + ".roleArn: required");
                            }
                            accounts.put(
                                    f.getKey(),
                                    new AccountRole(roleArn, text(f.getValue(), "externalId")));
                        });
        String template = text(assume, "roleArn");
        AccountRole defaultRole =
                template == null ? null : new AccountRole(template, text(assume, "externalId"));

        Map<String, RuleMapping> rules = new LinkedHashMap<>();
        node.path("rules")
                .fields()
                .forEachRemaining(
                        f -> {
                            String path = p + "rules." + f.getKey();
                            List<String> actions = new ArrayList<>();
                            JsonNode list = f.getValue().get("actions");
                            List<String> names =
                                    list == null
                                            ? List.of(NOTIFY)
                                            : ParamType.strings(ParamType.STRING_LIST.parse(list));
                            for (int i = 0; i < names.size(); i++) {
                                actions.add(actionName(names.get(i), path + ".actions: item " + i));
                            }
                            JsonNode min = f.getValue().get("minSeverity");
                            rules.put(
                                    f.getKey(),
                                    new RuleMapping(
                                            f.getKey(),
                                            List.copyOf(actions),
                                            min == null
                                                    ? Severity.INFORMATIONAL
                                                    : (Severity) ParamType.SEVERITY.parse(min)));
                        });

        Map<String, String> custom = new LinkedHashMap<>();
        node.path("customActions")
                .fields()
                .forEachRemaining(
                        f -> {
                            String action =
                                    actionName(
                                            f.getValue().asText(),
                                            p + "customActions." + f.getKey());
                            if (NOTIFY.equals(action)) {
                                throw new IllegalArgumentException(
                                        p
                                                + "customActions."
                                                + f.getKey()
                                                + ": 'notify' is not a response action (Security Hub already shows the finding)");
                            }
                            custom.put(f.getKey(), action);
                        });

        Map<String, ActionSettings> actions = new LinkedHashMap<>();
        JsonNode an = node.path("actions");
        for (String a : ACTIONS) {
            JsonNode s = an.path(a);
            Map<String, Serializable> options = new LinkedHashMap<>();
            s.fields()
                    .forEachRemaining(
                            f -> {
                                if (!"dryRun".equals(f.getKey()) && !f.getValue().isNull()) {
                                    options.put(
                                            f.getKey(),
                                            "timeout".equals(f.getKey())
                                                    ? ParamType.DURATION.parse(f.getValue())
                                                    : f.getValue().asText());
                                }
                            });
            actions.put(
                    a,
                    new ActionSettings(
                            a, NOTIFY.equals(a) || s.path("dryRun").asBoolean(true), options));
        }
        check(
                actions.get(DENY_LAYER_DOWNLOAD),
                "policyArn",
                POLICY_ARN,
                "is not an IAM managed policy ARN (arn:PARTITION:iam::{account}:policy/PATH/NAME)");
        String revokeRole = actions.get(REVOKE_SESSIONS).option("assumeRole");
        if (revokeRole != null && !revokeRole.startsWith("arn:")) {
            check(actions.get(REVOKE_SESSIONS), "assumeRole", ROLE_NAME, "is not an IAM role name");
        } else {
            check(
                    actions.get(REVOKE_SESSIONS),
                    "assumeRole",
                    ROLE_ARN,
                    "is not an IAM role ARN (arn:PARTITION:iam::{account}:role/NAME) or role name");
        }
        ActionSettings register = actions.get(REGISTER_REGISTRY);
        boolean registerUsed =
                rules.values().stream().anyMatch(r -> r.actions().contains(REGISTER_REGISTRY))
                        || custom.containsValue(REGISTER_REGISTRY);
        if (registerUsed && !register.dryRun()) {
            for (String key : List.of("secretArn", "connectionRoleArn")) {
                if (register.option(key) == null || register.option(key).isBlank()) {
                    throw new IllegalArgumentException(
                            p
                                    + "actions."
                                    + REGISTER_REGISTRY
                                    + "."
                                    + key
                                    + ": required when register-registry is mapped and not a dry run");
                }
            }
        }
        return new RemediationConfig(
                node.path("enabled").asBoolean(false),
                node.hasNonNull("auditLog")
                        ? node.get("auditLog").asText()
                        : "remediation-audit.jsonl",
                rateLimit(rate),
                node.hasNonNull("idempotencyTtl")
                        ? (Duration) ParamType.DURATION.parse(node.get("idempotencyTtl"))
                        : Duration.ofDays(30),
                node.hasNonNull("failureSeverity")
                        ? (Severity) ParamType.SEVERITY.parse(node.get("failureSeverity"))
                        : Severity.HIGH,
                strings(prot.get("principals")),
                strings(prot.get("repositories")),
                strings(node.get("breakGlassPrincipals")),
                defaultRole,
                accounts,
                rules,
                custom,
                actions);
    }

    /**
     * An action option, when set, must match {@code pattern}; otherwise an error naming the key.
     */
    private static void check(ActionSettings a, String key, Pattern pattern, String problem) {
        String v = a.option(key);
        if (v != null && !pattern.matcher(v).matches()) {
            throw new IllegalArgumentException(
                    SECTION + ".actions." + a.name() + "." + key + ": '" + v + "' " + problem);
        }
    }

    private static RateLimit rateLimit(JsonNode rate) {
        int perHour = rate.path("perHour").asInt(10);
        int perAccount = rate.path("perAccountPerHour").asInt(3);
        Map<String, RateLimit> severities = new LinkedHashMap<>();
        rate.path("severities")
                .fields()
                .forEachRemaining(
                        f ->
                                severities.put(
                                        severityKey(f.getKey()).name(),
                                        new RateLimit(
                                                f.getValue().path("perHour").asInt(perHour),
                                                f.getValue()
                                                        .path("perAccountPerHour")
                                                        .asInt(perAccount))));
        Map<String, RateLimit> rules = new LinkedHashMap<>();
        rate.path("rules")
                .fields()
                .forEachRemaining(
                        f ->
                                rules.put(
                                        f.getKey(),
                                        new RateLimit(
                                                f.getValue().path("perHour").asInt(perHour),
                                                f.getValue()
                                                        .path("perAccountPerHour")
                                                        .asInt(perAccount))));
        return new RateLimit(perHour, perAccount, Map.copyOf(severities), Map.copyOf(rules));
    }

    /** A severity written as a key (any case), or null. */
    private static Severity severityKey(String k) {
        for (Severity s : Severity.values()) {
            if (s.name().equalsIgnoreCase(k)) {
                return s;
            }
        }
        return null;
    }

    /** Built-in defaults when a config has no remediation: section at all. */
    public static RemediationConfig defaults() {
        return new RemediationConfig(
                false,
                "remediation-audit.jsonl",
                new RateLimit(10, 3),
                Duration.ofDays(30),
                Severity.HIGH,
                List.of(),
                List.of(),
                List.of(),
                null,
                Map.of(),
                Map.of(),
                Map.of(),
                Map.of());
    }

    /** An action name (case-insensitive, '-' or '_'), or an error naming {@code path}. */
    public static String actionName(String value, String path) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        if (!ACTIONS.contains(v)) {
            throw new IllegalArgumentException(
                    path
                            + ": '"
                            + value
                            + "' is not an action"
                            + ConfigSchema.suggestion(v, ACTIONS).replace("valid keys", "actions"));
        }
        return v;
    }

    private static String text(JsonNode node, String key) {
        JsonNode v = node.get(key);
        return v == null || v.isNull() || v.asText().isBlank() ? null : v.asText();
    }

    private static List<String> strings(JsonNode node) {
        return node == null || node.isNull()
                ? List.of()
                : ParamType.strings(ParamType.STRING_LIST.parse(node));
    }

    private static List<Glob> globs(List<String> patterns) {
        List<Glob> out = new ArrayList<>();
        patterns.forEach(s -> out.add(new Glob(s)));
        return List.copyOf(out);
    }

    /** The action names other than notify (what the responder can do). */
    public static Set<String> responseActions() {
        Set<String> out = new LinkedHashSet<>(ACTIONS);
        out.remove(NOTIFY);
        return out;
    }
}
