package io.layerwatch.sinks.remediation;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.config.RemediationConfig;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.Severity;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.event.EventKind;
import io.layerwatch.finding.Finding;
import io.layerwatch.util.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Security Hub custom actions: an analyst selects findings and picks a custom action; EventBridge
 * delivers "Security Hub Findings - Custom Action", which the decoder turns into one {@link
 * EventKind#CUSTOM_ACTION} event per selected finding. Here each becomes a request for the action
 * {@code remediation.customActions} maps the custom action id to, through the same guardrails as
 * rule mappings (minimum severities do not apply: a person chose).
 *
 * <p>Accepted findings: LayerWatch's own (ProductArn is the default product of the hub account,
 * {@code sinks.securityhub.hubAccountId}, the only account LayerWatch imports into; read back from
 * ProductFields) and other products' findings on ECR resources (AwsEcrContainerImage,
 * AwsEcrRepository) of the finding's own account (AwsAccountId), e.g. Inspector vulnerabilities,
 * which name the repository to quarantine. Any member account can import a finding into its own
 * product with whatever GeneratorId and ProductFields it likes, so for those only the ECR resource
 * counts. Anything else, or an unmapped custom action id, gives a not-applicable record. Each click
 * is its own request (idempotency key: finding, action and event), so a replayed event never acts
 * twice while a second click can.
 */
public final class CustomActions {
    static final String FIELD = "layerwatch/";

    private CustomActions() {}

    /**
     * The request of one CUSTOM_ACTION event (null for other events).
     *
     * @param hubAccountId the account LayerWatch imports its findings into; null: no finding is
     *     LayerWatch's own
     */
    public static ActionRequest request(EcrEvent e, RemediationConfig config, String hubAccountId) {
        if (e.kind() != EventKind.CUSTOM_ACTION) {
            return null;
        }
        JsonNode envelope = Json.tree(e.raw());
        JsonNode asff = envelope == null ? null : envelope.path("detail").path("findings").path(0);
        String actionArn =
                envelope == null ? null : envelope.path("resources").path(0).asText(null);
        String actor = actionArn != null ? actionArn : "securityhub-custom-action:" + e.eventName();
        String trigger = "custom-action:" + e.eventName();
        boolean own = asff != null && isLayerWatch(asff, hubAccountId);
        Finding f = asff == null || !asff.isObject() ? null : finding(asff, e, own);
        String action = config.customActions().get(e.eventName());
        if (action == null) {
            action = lookupIgnoringCase(config.customActions(), e.eventName());
        }
        String findingId = f != null ? f.id() : e.eventId();
        String key = findingId + "|" + (action == null ? "unmapped" : action) + "|" + e.eventId();
        if (f == null) {
            return unapplicable(
                    key,
                    action,
                    trigger,
                    actor,
                    findingId,
                    null,
                    "the custom action event carries no finding");
        }
        if (action == null) {
            return new ActionRequest(
                    key,
                    RemediationConfig.NOTIFY,
                    trigger,
                    actor,
                    f.id(),
                    f.ruleId(),
                    f.severity(),
                    Planner.reason(f),
                    null,
                    "custom action "
                            + e.eventName()
                            + " is not mapped to an action (remediation.customActions)",
                    f);
        }
        String problem =
                own
                        ? null
                        : !hasEcrResource(asff)
                                ? "not a LayerWatch or ECR finding"
                                : f.accountId() == null
                                        ? "the finding has no AwsAccountId"
                                        : f.repository() != null
                                                        && !f.accountId()
                                                                .equals(f.repository().registryId())
                                                ? "another product's finding names a repository outside its own account "
                                                        + f.accountId()
                                                : null;
        if (problem != null) {
            return new ActionRequest(
                    key,
                    action,
                    trigger,
                    actor,
                    f.id(),
                    f.ruleId(),
                    f.severity(),
                    Planner.reason(f),
                    null,
                    problem,
                    f);
        }
        return Planner.request(f, action, trigger, actor, key, config);
    }

    private static ActionRequest unapplicable(
            String key,
            String action,
            String trigger,
            String actor,
            String findingId,
            Finding f,
            String problem) {
        return new ActionRequest(
                key,
                action == null ? RemediationConfig.NOTIFY : action,
                trigger,
                actor,
                findingId,
                null,
                Severity.INFORMATIONAL,
                "custom action " + trigger,
                null,
                problem,
                f);
    }

    private static String lookupIgnoringCase(Map<String, String> map, String key) {
        for (Map.Entry<String, String> m : map.entrySet()) {
            if (m.getKey().equalsIgnoreCase(key)) {
                return m.getValue();
            }
        }
        return null;
    }

    /**
     * LayerWatch's own finding: ProductArn arn:PARTITION:securityhub:REGION:HUB:product/HUB/default
     * (as {@code AsffMapper} writes it), which only the hub account can import into. GeneratorId
     * and ProductFields prove nothing: any account writes them.
     */
    static boolean isLayerWatch(JsonNode asff, String hubAccountId) {
        if (hubAccountId == null || hubAccountId.isBlank()) {
            return false;
        }
        String[] p = asff.path("ProductArn").asText("").split(":", 6);
        return p.length == 6
                && "arn".equals(p[0])
                && "securityhub".equals(p[2])
                && hubAccountId.equals(p[4])
                && ("product/" + hubAccountId + "/default").equals(p[5]);
    }

    private static boolean hasEcrResource(JsonNode asff) {
        for (JsonNode r : asff.path("Resources")) {
            String type = r.path("Type").asText("");
            if (type.startsWith("AwsEcr")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The ASFF finding as a {@link Finding}: LayerWatch's own from its ProductFields (details/*
     * values parsed back from JSON where they are JSON; a value Security Hub cut at 2048 characters
     * stays text), other products' with their Id, GeneratorId as rule id, AwsAccountId as account
     * and only the ECR resource the decoder found in Resources (never ProductFields).
     */
    static Finding finding(JsonNode asff, EcrEvent e, boolean own) {
        JsonNode fields = asff.path("ProductFields");
        String id =
                own
                        ? text(fields, FIELD + "findingId", asff.path("Id").asText(null))
                        : asff.path("Id").asText(null);
        String ruleId =
                own
                        ? text(fields, FIELD + "ruleId", generator(asff))
                        : asff.path("GeneratorId").asText("securityhub");
        Severity severity = severity(asff);
        Map<String, Object> details = new LinkedHashMap<>();
        if (own) {
            fields.fields()
                    .forEachRemaining(
                            f -> {
                                if (f.getKey().startsWith(FIELD + "details/")) {
                                    String k = f.getKey().substring((FIELD + "details/").length());
                                    String v = f.getValue().asText();
                                    JsonNode parsed =
                                            v.startsWith("[") || v.startsWith("{")
                                                    ? Json.tree(v)
                                                    : null;
                                    details.put(
                                            k,
                                            parsed != null
                                                    ? Json.MAPPER.convertValue(parsed, Object.class)
                                                    : v);
                                }
                            });
        }
        details.put("securityHubFindingId", asff.path("Id").asText(null));
        details.put("productArn", asff.path("ProductArn").asText(null));
        if (e.imageDigest() != null) {
            details.put("imageDigest", e.imageDigest());
        }
        Finding.FindingPrincipal principal = null;
        String principalArn = own ? text(fields, FIELD + "principal/arn", null) : null;
        if (principalArn != null) {
            principal =
                    new Finding.FindingPrincipal(
                            principalArn,
                            text(fields, FIELD + "principal/type", null),
                            text(fields, FIELD + "principal/name", null),
                            text(fields, FIELD + "principal/accountId", null),
                            text(fields, FIELD + "principal/accessKeyId", null),
                            text(fields, FIELD + "principal/sessionName", null));
        }
        Finding.FindingRepository repository =
                e.repositoryName() == null || (!own && !hasEcrResource(asff))
                        ? null
                        : new Finding.FindingRepository(e.repositoryName(), e.registryId());
        String account =
                own
                        ? text(fields, FIELD + "accountId", e.accountId())
                        : asff.path("AwsAccountId").asText(null);
        String region = own ? text(fields, FIELD + "region", e.region()) : e.region();
        Instant time = Instant.ofEpochMilli(e.eventTime());
        return new Finding(
                id,
                ruleId,
                severity,
                asff.path("Title").asText(null),
                asff.path("Description").asText(null),
                account,
                region,
                principal,
                repository,
                null,
                null,
                time,
                time,
                1,
                id,
                List.of(),
                details,
                new ArrayList<>(),
                RuleCatalog.attack(ruleId));
    }

    private static String generator(JsonNode asff) {
        String g = asff.path("GeneratorId").asText(null);
        return g == null
                ? "securityhub"
                : g.startsWith("layerwatch/") ? g.substring("layerwatch/".length()) : g;
    }

    private static Severity severity(JsonNode asff) {
        String label =
                asff.path("Severity")
                        .path("Label")
                        .asText("INFORMATIONAL")
                        .toUpperCase(Locale.ROOT);
        try {
            return Severity.valueOf(label);
        } catch (IllegalArgumentException ex) {
            return Severity.INFORMATIONAL;
        }
    }

    private static String text(JsonNode fields, String key, String fallback) {
        String v = fields.path(key).asText(null);
        return v == null || v.isBlank() ? fallback : v;
    }
}
