package io.layerwatch.sinks.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layerwatch.config.AttackTechnique;
import io.layerwatch.config.HttpEndpoints;
import io.layerwatch.config.Severity;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.Incident;
import io.layerwatch.sinks.IncidentText;
import io.layerwatch.sinks.aws.AwsClientSettings;
import io.layerwatch.sinks.delivery.Delivery;
import io.layerwatch.sinks.delivery.DeliveryClient;
import io.layerwatch.sinks.delivery.EntryResult;
import io.layerwatch.sinks.delivery.ErrorClassifier;
import io.layerwatch.sinks.delivery.FindingTarget;
import io.layerwatch.util.Json;
import io.layerwatch.util.SafeText;
import java.io.Serializable;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * HTTPS POST of each finding to a ticketing or chat tool: Slack incoming webhooks, PagerDuty Events
 * v2, or a generic JSON template. The URL and secrets come from config or from a Secrets Manager
 * secret (JSON with "url", optional "routingKey" and "headers"); they are never logged.
 */
public final class WebhookTarget implements FindingTarget {
    private static final long serialVersionUID = 1L;
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(\\w+)}}");

    public enum Format {
        SLACK,
        PAGERDUTY,
        GENERIC
    }

    /**
     * Where and how findings are posted.
     *
     * @param url the endpoint (or null with secretArn)
     * @param secretArn a Secrets Manager secret holding url / routingKey / headers (optional)
     * @param routingKey PagerDuty integration key (or in the secret)
     * @param template GENERIC body: JSON with {{id}} {{ruleId}} {{severity}} {{title}}
     *     {{description}} {{principal}} {{repository}} {{sourceIp}} {{time}} {{techniques}} (ATT&CK
     *     ids, comma-separated) {{incidentId}} (an incident's id, or the one a member belongs to)
     *     {{story}} (an incident's) as string values and {{finding}} for the whole finding
     */
    public record Settings(
            String name,
            Format format,
            String url,
            String secretArn,
            String routingKey,
            Map<String, String> headers,
            String template,
            Duration timeout,
            AwsClientSettings aws)
            implements Serializable {}

    private final Settings settings;

    public WebhookTarget(Settings settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        return settings.name() == null ? "webhook" : settings.name();
    }

    @Override
    public Limits limits() {
        return new Limits(1, 512 * 1024, 512 * 1024, 0);
    }

    @Override
    public String encode(Finding f) {
        return switch (settings.format()) {
            case SLACK -> Json.write(slack(f));
            case PAGERDUTY ->
                    Json.write(
                            pagerDuty(
                                    f,
                                    settings.routingKey() == null
                                            ? "{{routingKey}}"
                                            : settings.routingKey()));
            default -> settings.template() == null ? Json.write(f) : fill(settings.template(), f);
        };
    }

    /**
     * Slack blocks. Every text is escaped per Slack's rules ({@link #slackEscape}), so values from
     * CloudTrail (repository names, user agents, principals) cannot mention a channel or user, or
     * disguise a link; LayerWatch's own text uses no links or mentions.
     */
    static ObjectNode slack(Finding f) {
        Optional<Incident> incident = Incident.of(f);
        if (incident.isPresent()) {
            return slackIncident(f, incident.get());
        }
        ObjectNode body = Json.MAPPER.createObjectNode();
        String headline = "[" + f.severity() + "] " + SafeText.escape(f.title());
        body.put("text", slackText(headline, 40_000));
        ArrayNode blocks = body.putArray("blocks");
        blocks.addObject()
                .put("type", "header")
                .putObject("text")
                .put("type", "plain_text")
                .put("text", slackText(headline, 150));
        String fields =
                "*Rule:* "
                        + f.ruleId()
                        + (f.attack().isEmpty()
                                ? ""
                                : "\n*ATT&CK:* "
                                        + String.join(
                                                ", ",
                                                f.attack().stream()
                                                        .map(AttackTechnique::label)
                                                        .toList()))
                        + "\n*Principal:* "
                        + SafeText.escape(f.principal().arn())
                        + (f.repository() == null
                                ? ""
                                : "\n*Repository:* " + SafeText.escape(f.repository().name()))
                        + (f.sourceIp() == null
                                ? ""
                                : "\n*Source IP:* " + SafeText.escape(f.sourceIp()))
                        + "\n*When:* "
                        + f.firstEventTime()
                        + " - "
                        + f.lastEventTime()
                        + " ("
                        + f.eventCount()
                        + " events)";
        blocks.addObject()
                .put("type", "section")
                .putObject("text")
                .put("type", "mrkdwn")
                .put("text", slackText(fields.toString(), 3000));
        blocks.addObject()
                .put("type", "section")
                .putObject("text")
                .put("type", "plain_text")
                .put(
                        "text",
                        slackText(
                                f.description() == null ? "" : SafeText.escape(f.description()),
                                3000));
        blocks.addObject()
                .put("type", "context")
                .putArray("elements")
                .addObject()
                .put("type", "mrkdwn")
                .put(
                        "text",
                        slackText(
                                "finding "
                                        + f.id()
                                        + (f.incidentId() == null
                                                ? ""
                                                : ", part of incident " + f.incidentId()),
                                3000));
        return body;
    }

    /**
     * An incident: headline, the story, the steps in order, who and when; the incident id as
     * context.
     */
    private static ObjectNode slackIncident(Finding f, Incident incident) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        String headline = "[" + f.severity() + "] " + IncidentText.headline(f);
        body.put("text", slackText(headline + ": " + SafeText.escape(incident.story()), 40_000));
        ArrayNode blocks = body.putArray("blocks");
        blocks.addObject()
                .put("type", "header")
                .putObject("text")
                .put("type", "plain_text")
                .put("text", slackText(headline, 150));
        blocks.addObject()
                .put("type", "section")
                .putObject("text")
                .put("type", "plain_text")
                .put("text", slackText(SafeText.escape(incident.story()), 3000));
        String fields =
                "*Steps* ("
                        + IncidentText.size(incident)
                        + "):\n"
                        + String.join("\n", IncidentText.steps(incident))
                        + "\n*Principals:* "
                        + SafeText.escape(String.join(", ", incident.principals()))
                        + (incident.sourceIps().isEmpty()
                                ? ""
                                : "\n*Source IPs:* "
                                        + SafeText.escape(String.join(", ", incident.sourceIps())))
                        + (incident.repositories().isEmpty()
                                ? ""
                                : "\n*Repositories:* "
                                        + SafeText.escape(
                                                String.join(", ", incident.repositories())))
                        + "\n*Tactics:* "
                        + String.join(", ", incident.tactics())
                        + "\n*When:* "
                        + IncidentText.span(f);
        blocks.addObject()
                .put("type", "section")
                .putObject("text")
                .put("type", "mrkdwn")
                .put("text", slackText(fields, 3000));
        blocks.addObject()
                .put("type", "context")
                .putArray("elements")
                .addObject()
                .put("type", "mrkdwn")
                .put("text", slackText("incident " + f.id(), 3000));
        return body;
    }

    /**
     * Slack's control characters: {@code &}, {@code <}, {@code >} become entities (Slack decodes
     * them for display).
     */
    static String slackEscape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** Escaped, then abbreviated to {@code max} characters without cutting an entity in half. */
    static String slackText(String raw, int max) {
        String s = slackEscape(raw);
        if (s.length() <= max) {
            return s;
        }
        int cut = max - 3;
        int amp = s.lastIndexOf('&', cut - 1);
        if (amp >= 0 && s.indexOf(';', amp) >= cut) {
            cut = amp; // the entity starting at amp would be cut: drop it whole
        }
        return s.substring(0, cut) + "...";
    }

    /**
     * PagerDuty Events v2 trigger. dedup_key is the incident id for an incident and for a member
     * that joined one (its later versions merge into the incident's alert), else the finding id.
     */
    static ObjectNode pagerDuty(Finding f, String routingKey) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("routing_key", routingKey);
        body.put("event_action", "trigger");
        String incidentId = IncidentText.incidentId(f);
        body.put("dedup_key", incidentId != null ? incidentId : f.id());
        ObjectNode payload = body.putObject("payload");
        Optional<Incident> incident = Incident.of(f);
        payload.put(
                "summary",
                abbreviate(
                        "["
                                + f.severity()
                                + "] "
                                + (incident.isPresent()
                                        ? IncidentText.headline(f)
                                                + ": "
                                                + SafeText.escape(incident.get().story())
                                        : SafeText.escape(f.title())),
                        1024));
        payload.put("source", SafeText.escape(f.principal().arn()));
        payload.put("severity", pagerDutySeverity(f.severity()));
        payload.put("timestamp", f.lastEventTime().toString());
        payload.put(
                "component",
                f.repository() == null ? "ecr-registry" : SafeText.escape(f.repository().name()));
        payload.put("group", f.accountId() + "/" + f.region());
        payload.put("class", f.ruleId());
        ObjectNode details = payload.putObject("custom_details");
        if (incident.isPresent()) {
            incidentDetails(details, f, incident.get());
            return body;
        }
        if (f.incidentId() != null) { // dedup_key is the incident's
            details.put("findingId", f.id());
            details.put("incidentId", f.incidentId());
        }
        details.put("description", SafeText.escapeOrNull(f.description()));
        details.put("sourceIp", SafeText.escapeOrNull(f.sourceIp()));
        details.put("eventCount", f.eventCount());
        details.put("attack", techniques(f));
        details.set("eventIds", SafeText.escape(Json.MAPPER.valueToTree(f.eventIds())));
        details.set("details", SafeText.escape(Json.MAPPER.valueToTree(f.details())));
        return body;
    }

    private static void incidentDetails(ObjectNode details, Finding f, Incident incident) {
        details.put("incidentId", f.id());
        details.put("story", SafeText.escapeOrNull(incident.story()));
        details.set("steps", Json.MAPPER.valueToTree(IncidentText.steps(incident)));
        details.put("when", IncidentText.span(f));
        details.set("tactics", Json.MAPPER.valueToTree(incident.tactics()));
        details.put("attack", techniques(f));
        details.set("principals", SafeText.escape(Json.MAPPER.valueToTree(incident.principals())));
        details.set("sourceIps", SafeText.escape(Json.MAPPER.valueToTree(incident.sourceIps())));
        details.set(
                "repositories", SafeText.escape(Json.MAPPER.valueToTree(incident.repositories())));
        details.set("memberIds", Json.MAPPER.valueToTree(incident.memberIds()));
        details.put("eventCount", f.eventCount());
        details.put("severityRaised", incident.raised());
    }

    static String pagerDutySeverity(Severity s) {
        return switch (s) {
            case CRITICAL -> "critical";
            case HIGH -> "error";
            case MEDIUM -> "warning";
            default -> "info";
        };
    }

    static String fill(String template, Finding f) {
        Map<String, String> values = new HashMap<>();
        values.put("id", f.id());
        values.put("ruleId", f.ruleId());
        values.put("severity", f.severity().name());
        values.put("title", SafeText.escape(f.title()));
        values.put("description", SafeText.escape(f.description()));
        values.put("principal", SafeText.escape(f.principal().arn()));
        values.put(
                "repository", f.repository() == null ? "" : SafeText.escape(f.repository().name()));
        values.put("sourceIp", SafeText.escape(f.sourceIp()));
        values.put("time", f.lastEventTime().toString());
        values.put("techniques", techniques(f));
        values.put("incidentId", IncidentText.incidentId(f));
        values.put("story", Incident.of(f).map(i -> SafeText.escape(i.story())).orElse(""));
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String key = m.group(1);
            String replacement;
            if ("finding".equals(key)) {
                replacement = Json.write(f);
            } else {
                String v = values.getOrDefault(key, "");
                String quoted = Json.write(v == null ? "" : v);
                replacement = quoted.substring(1, quoted.length() - 1); // escaped for a JSON string
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The finding's ATT&CK technique ids, comma-separated. */
    static String techniques(Finding f) {
        return String.join(",", f.attack().stream().map(AttackTechnique::technique).toList());
    }

    static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }

    @Override
    public DeliveryClient connect() {
        String url = settings.url();
        String routingKey = settings.routingKey();
        Map<String, String> headers = new LinkedHashMap<>();
        if (settings.headers() != null) {
            headers.putAll(settings.headers());
        }
        if (settings.secretArn() != null) {
            JsonNode secret = readSecret();
            url = secret.hasNonNull("url") ? secret.get("url").asText() : url;
            routingKey =
                    secret.hasNonNull("routingKey")
                            ? secret.get("routingKey").asText()
                            : routingKey;
            secret.path("headers")
                    .fields()
                    .forEachRemaining(h -> headers.put(h.getKey(), h.getValue().asText()));
        }
        if (url == null) {
            throw new IllegalStateException(
                    "webhook sink " + name() + " has no url (config or secret)");
        }
        // Checked again here: the secret's url and headers are not seen by the config check.
        String from =
                settings.secretArn() != null
                        ? " (config or secret " + settings.secretArn() + ")"
                        : "";
        String problem = HttpEndpoints.urlProblem(url);
        if (problem != null) {
            throw new IllegalStateException(
                    "webhook sink " + name() + ": url" + from + " " + problem);
        }
        problem = HttpEndpoints.headersProblem(headers);
        if (problem != null) {
            throw new IllegalStateException(
                    "webhook sink " + name() + ": headers" + from + ": " + problem);
        }
        return new Client(
                URI.create(url.trim()),
                settings.format() == Format.PAGERDUTY ? routingKey : null,
                headers,
                settings.timeout());
    }

    private JsonNode readSecret() {
        try (SecretsManagerClient sm = settings.aws().build(SecretsManagerClient.builder())) {
            JsonNode secret =
                    Json.tree(
                            sm.getSecretValue(b -> b.secretId(settings.secretArn()))
                                    .secretString());
            if (secret == null || !secret.isObject()) {
                throw new IllegalStateException(
                        "secret of webhook sink " + name() + " is not a JSON object");
            }
            return secret;
        }
    }

    /**
     * Sets the PagerDuty routing key as the one field it belongs in: never a text substitution over
     * the rendered body, where a user agent "{{routingKey}}" would receive the secret.
     */
    static String withRoutingKey(String pagerDutyBody, String routingKey) {
        JsonNode body = Json.tree(pagerDutyBody);
        if (body == null || !body.isObject()) {
            throw new IllegalStateException("PagerDuty payload is not a JSON object");
        }
        ((ObjectNode) body).put("routing_key", routingKey);
        return Json.write(body);
    }

    private static final class Client implements DeliveryClient {
        private final HttpClient http;
        private final URI uri;
        private final String routingKey;
        private final Map<String, String> headers;
        private final Duration timeout;

        Client(URI uri, String routingKey, Map<String, String> headers, Duration timeout) {
            this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
            this.uri = uri;
            this.routingKey = routingKey;
            this.headers = headers;
            this.timeout = timeout;
        }

        @Override
        public List<EntryResult> send(List<Delivery> batch) throws Exception {
            String body = batch.get(0).payload();
            if (routingKey != null) {
                body = withRoutingKey(body, routingKey);
            }
            HttpRequest.Builder request =
                    HttpRequest.newBuilder(uri)
                            .timeout(timeout)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body));
            headers.forEach(request::header);
            HttpResponse<String> response =
                    http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return List.of(ErrorClassifier.classifyHttp(response.statusCode(), response.body()));
        }
    }
}
