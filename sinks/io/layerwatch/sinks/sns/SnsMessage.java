package io.layerwatch.sinks.sns;

import static io.layerwatch.util.Text.cut;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layerwatch.config.AttackTechnique;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.Finding.FindingPrincipal;
import io.layerwatch.finding.Incident;
import io.layerwatch.sinks.IncidentText;
import io.layerwatch.sinks.delivery.Delivery;
import io.layerwatch.sinks.sns.SnsTarget.MessageFormat;
import io.layerwatch.sinks.sns.SnsTarget.Settings;
import io.layerwatch.util.Json;
import io.layerwatch.util.SafeText;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * What SnsTarget publishes for a finding, built without any call: a short ASCII subject, a
 * plain-text body for people (email) and the finding JSON for machine subscribers, String message
 * attributes for subscription filter policies, FIFO group and dedup ids. Oversize findings are
 * trimmed (evidence, then details, then description, then every long field), never dropped.
 */
final class SnsMessage implements Serializable {
    private static final long serialVersionUID = 1L;

    /** SNS: subjects must be less than 100 characters. */
    static final int MAX_SUBJECT = 99;

    /** SNS: MessageGroupId and MessageDeduplicationId are at most 128 characters. */
    static final int MAX_FIFO_ID = 128;

    static final int MAX_DETAIL_CHARS = 500;
    static final int MAX_LIST_ITEMS = 10;
    static final int SHORT_DESCRIPTION = 1000;
    static final int COMPACT_TEXT = 256;

    /** What a cut text ends with: subjects must be ASCII, and the rest follows them. */
    static final String ASCII_ELLIPSIS = "...";

    /** Machine protocols that receive the finding JSON under TEXT_AND_JSON. */
    static final List<String> JSON_PROTOCOLS =
            List.of("sqs", "lambda", "https", "http", "firehose");

    /** Details shown in their own lines of the email, not again under "key details". */
    private static final Set<String> SHOWN_ELSEWHERE =
            Set.of(
                    "layerDigest",
                    "imageDigest",
                    "imageTags",
                    "vpcEndpointId",
                    "identityType",
                    "identityName",
                    Finding.INCIDENT_ID);

    private final Settings settings;

    SnsMessage(Settings settings) {
        this.settings = settings;
    }

    /**
     * The entry payload: the first rendering that fits {@link SnsTarget#MAX_ENTRY_BYTES}, the full
     * finding, then ever more trimmed.
     */
    String encode(Finding finding) {
        List<String> trimmed = new ArrayList<>();
        Finding f = finding;
        for (Trim trim : Trim.values()) {
            if (trim != Trim.NONE) {
                f = trim.apply(f);
                trimmed.add(trim.note);
            }
            String payload = entry(f, trimmed).toPayload();
            if (payload.getBytes(StandardCharsets.UTF_8).length <= SnsTarget.MAX_ENTRY_BYTES) {
                return payload;
            }
        }
        throw new IllegalStateException(
                "finding " + finding.id() + " does not fit SNS even compacted");
    }

    /** Trimming steps for oversize findings, cumulative, in order. */
    @SuppressWarnings("ImmutableEnumChecker") // the steps are stateless functions
    enum Trim {
        NONE("", UnaryOperator.identity()),
        EVIDENCE("evidence records dropped", f -> with(f, f.description(), f.details(), List.of())),
        DETAILS("details dropped", f -> with(f, f.description(), Map.of(), f.evidence())),
        DESCRIPTION(
                "description shortened",
                f ->
                        with(
                                f,
                                cut(f.description(), SHORT_DESCRIPTION, ASCII_ELLIPSIS),
                                f.details(),
                                f.evidence())),
        COMPACT("long fields shortened", SnsMessage::compact);

        final String note;
        private final UnaryOperator<Finding> step;

        Trim(String note, UnaryOperator<Finding> step) {
            this.note = note;
            this.step = step;
        }

        Finding apply(Finding f) {
            return step.apply(f);
        }
    }

    private static Finding with(
            Finding f, String description, Map<String, Object> details, List<JsonNode> evidence) {
        return new Finding(
                f.id(),
                f.ruleId(),
                f.severity(),
                f.title(),
                description,
                f.accountId(),
                f.region(),
                f.principal(),
                f.repository(),
                f.sourceIp(),
                f.userAgent(),
                f.firstEventTime(),
                f.lastEventTime(),
                f.eventCount(),
                f.key(),
                f.eventIds(),
                details,
                evidence,
                f.attack());
    }

    /** Last resort: every free-text field cut short and few event ids; the size is then bounded. */
    private static Finding compact(Finding f) {
        FindingPrincipal p = f.principal();
        FindingPrincipal principal =
                p == null
                        ? null
                        : new FindingPrincipal(
                                compactText(p.arn()),
                                compactText(p.type()),
                                compactText(p.name()),
                                compactText(p.accountId()),
                                compactText(p.accessKeyId()),
                                compactText(p.sessionName()));
        Finding.FindingRepository r = f.repository();
        Finding.FindingRepository repository =
                r == null
                        ? null
                        : new Finding.FindingRepository(
                                compactText(r.name()), compactText(r.registryId()));
        List<String> ids =
                f.eventIds() == null
                        ? List.of()
                        : f.eventIds().stream()
                                .limit(MAX_LIST_ITEMS)
                                .map(SnsMessage::compactText)
                                .toList();
        return new Finding(
                f.id(),
                f.ruleId(),
                f.severity(),
                compactText(f.title()),
                compactText(f.description()),
                f.accountId(),
                f.region(),
                principal,
                repository,
                compactText(f.sourceIp()),
                compactText(f.userAgent()),
                f.firstEventTime(),
                f.lastEventTime(),
                f.eventCount(),
                compactText(f.key()),
                ids,
                Map.of(),
                List.of(),
                f.attack());
    }

    private static String compactText(String s) {
        return cut(s, COMPACT_TEXT, ASCII_ELLIPSIS);
    }

    Entry entry(Finding f, List<String> trimmed) {
        Map<String, String> attributes = new LinkedHashMap<>();
        attribute(attributes, "severity", f.severity() == null ? null : f.severity().name());
        attribute(attributes, "ruleId", f.ruleId());
        attribute(attributes, "accountId", f.accountId());
        attribute(attributes, "repository", f.repository() == null ? null : f.repository().name());
        attribute(attributes, "incidentId", IncidentText.incidentId(f));
        String json = findingJson(f, trimmed);
        String subject = subject(f);
        String message;
        String structure = null;
        if (settings.format() == MessageFormat.JSON) {
            message = json;
        } else {
            ObjectNode variants = Json.MAPPER.createObjectNode();
            variants.put("default", emailText(f, trimmed));
            variants.put("sms", subject + (f.incident() ? " - incident " : " - finding ") + f.id());
            JSON_PROTOCOLS.forEach(protocol -> variants.put(protocol, json));
            message = Json.write(variants);
            structure = "json";
        }
        boolean fifo = settings.fifo();
        return new Entry(
                subject,
                structure,
                attributes,
                fifo ? groupId(f) : null,
                fifo ? dedupId(f) : null,
                message);
    }

    private static void attribute(Map<String, String> attributes, String name, String value) {
        if (value != null && !value.isBlank()) {
            attributes.put(
                    name, SafeText.escape(value)); // SNS rejects control characters in attributes
        }
    }

    /** The finding as findings.jsonl has it, plus a "trimmed" object when it was cut to fit. */
    private String findingJson(Finding f, List<String> trimmed) {
        if (trimmed.isEmpty()) {
            return Json.write(f);
        }
        ObjectNode node = Json.MAPPER.valueToTree(f);
        ObjectNode note = node.putObject("trimmed");
        note.put("reason", "exceeded the SNS message size limit");
        note.set("steps", Json.MAPPER.valueToTree(trimmed));
        String url = fullFindingUrl(f.id());
        if (url != null) {
            note.put("fullFinding", url);
        }
        return Json.write(node);
    }

    String fullFindingUrl(String id) {
        String base = settings.reportBaseUrl();
        if (base == null) {
            return null;
        }
        return base + (base.endsWith("/") || base.endsWith("=") ? "" : "/") + id;
    }

    // ---- subject ----

    /**
     * "[HIGH] untrusted-network: developer on payments-api", ASCII printable, under 100 characters;
     * an incident: "[CRITICAL] Incident: developer (mallory), 3 findings of 3 rules".
     */
    static String subject(Finding f) {
        Optional<Incident> incident = Incident.of(f);
        if (incident.isPresent()) {
            FindingPrincipal p = f.principal();
            String who =
                    p == null
                            ? "unknown"
                            : (p.name() != null ? p.name() : p.arn())
                                    + (p.sessionName() == null ? "" : " (" + p.sessionName() + ")");
            return cut(
                    ascii(
                            "["
                                    + f.severity()
                                    + "] Incident: "
                                    + who
                                    + ", "
                                    + IncidentText.size(incident.get())),
                    MAX_SUBJECT,
                    ASCII_ELLIPSIS);
        }
        String prefix = "[" + ascii(String.valueOf(f.severity())) + "] " + ascii(f.ruleId()) + ": ";
        String name = ascii(f.principal() == null ? "unknown" : f.principal().name());
        String sep = f.repository() != null ? " on " : " in ";
        String where =
                ascii(f.repository() != null ? f.repository().name() : "account " + f.accountId());
        int room = MAX_SUBJECT - prefix.length() - sep.length();
        if (name.length() + where.length() > room) {
            int whereRoom = Math.max(room / 2, room - name.length());
            int nameRoom = room - Math.min(where.length(), whereRoom);
            name = cut(name, nameRoom, ASCII_ELLIPSIS);
            where = cut(where, whereRoom, ASCII_ELLIPSIS);
        }
        return cut(prefix + name + sep + where, MAX_SUBJECT, ASCII_ELLIPSIS);
    }

    /** Printable ASCII only (other characters become '?'), whitespace collapsed. */
    static String ascii(String s) {
        StringBuilder out = new StringBuilder();
        (s == null ? "" : s)
                .codePoints()
                .forEach(
                        c ->
                                out.append(
                                        c >= 0x20 && c < 0x7f
                                                ? (char) c
                                                : Character.isWhitespace(c) ? ' ' : '?'));
        return out.toString().replaceAll(" {2,}", " ").trim();
    }

    // ---- FIFO ids ----

    /**
     * Rule id + the rule's key (principal ARN, repository or access key): every version of one
     * finding stays in order, different principals/repositories are delivered in parallel.
     */
    static String groupId(Finding f) {
        String key =
                f.key() != null ? f.key() : f.principal() == null ? f.id() : f.principal().arn();
        String id = fifoSafe(f.ruleId() + ":" + key);
        return id.length() <= MAX_FIFO_ID ? id : fifoSafe(f.ruleId()) + ":" + sha256(key);
    }

    /**
     * The finding id: a redelivery (retry, replay, restart) is dropped by SNS. Updates of a folded
     * episode within SNS's 5-minute dedup interval are dropped too: on a FIFO topic an episode
     * notifies once per interval (repeat suppression folds later ones into a digest anyway).
     */
    static String dedupId(Finding f) {
        return fifoSafe(f.id());
    }

    /** FIFO ids allow ASCII letters, digits and punctuation (33..126). */
    private static String fifoSafe(String s) {
        StringBuilder out = new StringBuilder();
        s.chars().forEach(c -> out.append(c > 32 && c < 127 ? (char) c : '_'));
        return out.toString();
    }

    private static String sha256(String s) {
        try {
            byte[] hash =
                    MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- email text ----

    /**
     * The plain-text report: who, what, which repository, from where, when, why, what to do,
     * references.
     */
    String emailText(Finding f, List<String> trimmed) {
        Optional<Incident> incident = Incident.of(f);
        if (incident.isPresent()) {
            return incidentText(f, incident.get(), trimmed);
        }
        Lines t = new Lines();
        t.raw("LayerWatch finding (" + f.severity() + "): " + SafeText.escape(f.title()));
        trimmedNote(t, f, trimmed);
        FindingPrincipal p = f.principal();
        t.section("WHO");
        if (p != null) {
            boolean nameInArn =
                    p.arn() != null && p.name() != null && p.arn().endsWith("/" + p.name());
            t.line("Principal", p.arn())
                    .line("Type", p.type())
                    .line("Name", nameInArn ? null : p.name())
                    .line("Session", p.sessionName())
                    .line("Access key", p.accessKeyId())
                    .line("Account", p.accountId());
        }
        t.line(
                "Target account",
                f.accountId() == null || p == null || f.accountId().equals(p.accountId())
                        ? null
                        : f.accountId());
        t.section("WHAT")
                .line("Rule", f.ruleId())
                .line("Severity", String.valueOf(f.severity()))
                .line(
                        "ATT&CK",
                        String.join(
                                "; ", f.attack().stream().map(AttackTechnique::label).toList()));
        t.section("WHICH REPOSITORY");
        if (f.repository() != null) {
            String registry = f.repository().registryId();
            t.line(
                    "Repository",
                    f.repository().name()
                            + (registry == null ? "" : " (registry " + registry + ")"));
        }
        t.line("Layer/image", cut(artifact(f), MAX_DETAIL_CHARS, ASCII_ELLIPSIS))
                .line("Region", f.region());
        String vpce = vpcEndpoint(f);
        t.section("FROM WHERE")
                .line("Source IP", f.sourceIp())
                .line("User agent", f.userAgent())
                .line(
                        "VPC endpoint",
                        vpce != null || f.sourceIp() == null ? vpce : "none (public endpoint)");
        t.section("WHEN")
                .line("First event", String.valueOf(f.firstEventTime()))
                .line("Last event", String.valueOf(f.lastEventTime()))
                .line("Events", String.valueOf(f.eventCount()));
        t.section("WHY IT FIRED").raw("  " + SafeText.escape(f.description()));
        if (f.details() != null
                && f.details().keySet().stream().anyMatch(k -> !SHOWN_ELSEWHERE.contains(k))) {
            t.raw("  Key details:");
            f.details()
                    .forEach(
                            (k, v) -> {
                                if (!SHOWN_ELSEWHERE.contains(k)) {
                                    t.raw(
                                            "    "
                                                    + SafeText.escape(k)
                                                    + ": "
                                                    + cut(
                                                            SafeText.escape(render(v)),
                                                            MAX_DETAIL_CHARS,
                                                            ASCII_ELLIPSIS));
                                }
                            });
        }
        t.section("WHAT TO DO").raw("  " + RuleCatalog.recommendation(f.ruleId()));
        t.section("REFERENCE")
                .line("Finding id", f.id())
                .line("Incident", f.incidentId())
                .line("Full finding", fullFindingUrl(f.id()));
        List<String> ids = f.eventIds() == null ? List.of() : f.eventIds();
        t.raw(
                "  Evidence event ids ("
                        + ids.size()
                        + (f.eventCount() > ids.size() ? " of " + f.eventCount() : "")
                        + "):");
        ids.forEach(id -> t.raw("    " + SafeText.escape(id)));
        t.blank()
                .raw(
                        "-- LayerWatch. Subscribers can filter on the message attributes severity, ruleId, accountId, "
                                + "repository.");
        return t.toString();
    }

    private void trimmedNote(Lines t, Finding f, List<String> trimmed) {
        if (!trimmed.isEmpty()) {
            String url = fullFindingUrl(f.id());
            t.blank()
                    .raw(
                            "NOTE: trimmed to fit the SNS message size limit ("
                                    + String.join(", ", trimmed)
                                    + ").")
                    .raw(
                            "The full finding is "
                                    + f.id()
                                    + (url == null ? " in the findings output." : ": " + url));
        }
    }

    /**
     * An incident: the story, the steps in order, who and from where, the span, what to do, the
     * member ids.
     */
    private String incidentText(Finding f, Incident incident, List<String> trimmed) {
        Lines t = new Lines();
        t.raw(
                "LayerWatch INCIDENT ("
                        + f.severity()
                        + (incident.raised() ? ", raised one level" : "")
                        + "): "
                        + SafeText.escape(f.title()));
        trimmedNote(t, f, trimmed);
        t.section("WHAT HAPPENED").raw("  " + SafeText.escape(incident.story()));
        t.section("STEPS (" + IncidentText.size(incident) + ", " + IncidentText.span(f) + ")");
        IncidentText.steps(incident).forEach(step -> t.raw("  " + step));
        t.section("WHO")
                .line("Principals", String.join(", ", incident.principals()))
                .line("Session", f.principal() == null ? null : f.principal().sessionName())
                .line("Access keys", String.join(", ", incident.accessKeys()))
                .line("Source IPs", String.join(", ", incident.sourceIps()))
                .line("Repositories", String.join(", ", incident.repositories()))
                .line("Account", f.accountId())
                .line("Region", f.region());
        t.section("WHAT")
                .line("Rule", f.ruleId())
                .line("Severity", String.valueOf(f.severity()))
                .line("Tactics", String.join(", ", incident.tactics()))
                .line(
                        "ATT&CK",
                        String.join(
                                "; ", f.attack().stream().map(AttackTechnique::label).toList()));
        t.section("WHAT TO DO").raw("  " + RuleCatalog.recommendation(f.ruleId()));
        t.section("REFERENCE")
                .line("Incident id", f.id())
                .line("Full finding", fullFindingUrl(f.id()));
        t.raw("  Member finding ids (" + incident.members().size() + "):");
        incident.memberIds().stream()
                .limit(IncidentText.MAX_STEPS)
                .forEach(id -> t.raw("    " + SafeText.escape(id)));
        t.blank()
                .raw(
                        "-- LayerWatch pages once per incident; its member findings go to Security Hub and the SIEM."
                                + " Subscribers can filter on the message attributes severity, ruleId, accountId, repository,"
                                + " incidentId.");
        return t.toString();
    }

    /** Email lines; every value goes through {@link SafeText#escape}. */
    private static final class Lines {
        private final StringBuilder out = new StringBuilder();

        Lines raw(String s) {
            out.append(s).append('\n');
            return this;
        }

        Lines blank() {
            return raw("");
        }

        Lines section(String title) {
            return blank().raw(title);
        }

        Lines line(String label, String value) {
            return value == null || value.isBlank()
                    ? this
                    : raw(
                            "  "
                                    + label
                                    + ":"
                                    + " ".repeat(Math.max(1, 15 - label.length()))
                                    + SafeText.escape(value));
        }

        @Override
        public String toString() {
            return out.toString();
        }
    }

    /**
     * The layer or image concerned: from the details, else from the last evidence record's request.
     */
    static String artifact(Finding f) {
        Map<String, Object> d = f.details() == null ? Map.of() : f.details();
        if (d.get("layerDigest") != null) {
            return "layer " + d.get("layerDigest");
        }
        if (d.get("imageDigest") != null) {
            return "image "
                    + d.get("imageDigest")
                    + (d.get("imageTags") == null
                            ? ""
                            : " (tags " + render(d.get("imageTags")) + ")");
        }
        if (d.get("layerDigests") instanceof List<?> layers && !layers.isEmpty()) {
            return layers.size() + " layers: " + render(layers);
        }
        JsonNode request = lastEvidence(f).path("requestParameters");
        if (request.hasNonNull("layerDigest")) {
            return "layer " + request.get("layerDigest").asText();
        }
        JsonNode image = request.path("imageIds").path(0);
        if (image.hasNonNull("imageDigest")) {
            return "image " + image.get("imageDigest").asText();
        }
        return image.hasNonNull("imageTag") ? "image tag " + image.get("imageTag").asText() : null;
    }

    static String vpcEndpoint(Finding f) {
        Object fromDetails = f.details() == null ? null : f.details().get("vpcEndpointId");
        if (fromDetails != null) {
            return fromDetails.toString();
        }
        JsonNode last = lastEvidence(f);
        return last.hasNonNull("vpcEndpointId") ? last.get("vpcEndpointId").asText() : null;
    }

    private static JsonNode lastEvidence(Finding f) {
        return f.evidence() == null || f.evidence().isEmpty()
                ? Json.MAPPER.missingNode()
                : f.evidence().get(f.evidence().size() - 1);
    }

    /** Scalars as text, short lists of scalars comma-separated, anything else as compact JSON. */
    static String render(Object v) {
        if (v instanceof List<?> list
                && list.stream()
                        .allMatch(
                                e ->
                                        e == null
                                                || e instanceof String
                                                || e instanceof Number
                                                || e instanceof Boolean)) {
            String shown =
                    String.join(
                            ", ",
                            list.stream().limit(MAX_LIST_ITEMS).map(String::valueOf).toList());
            return list.size() > MAX_LIST_ITEMS
                    ? shown + " (+" + (list.size() - MAX_LIST_ITEMS) + " more)"
                    : shown;
        }
        return v instanceof String || v instanceof Number || v instanceof Boolean
                ? String.valueOf(v)
                : Json.write(v);
    }

    // ---- payload ----

    /**
     * One PublishBatch entry as stored in {@link Delivery#payload()}: a JSON header line, then the
     * message verbatim (so the payload length is close to what SNS counts).
     */
    record Entry(
            String subject,
            String structure,
            Map<String, String> attributes,
            String groupId,
            String dedupId,
            String message) {

        record Header(
                String subject,
                String structure,
                Map<String, String> attributes,
                String groupId,
                String dedupId) {}

        String toPayload() {
            return Json.write(new Header(subject, structure, attributes, groupId, dedupId))
                    + "\n"
                    + message;
        }

        static Entry parse(String payload) {
            int nl = payload.indexOf('\n');
            if (nl < 0) {
                throw new IllegalArgumentException("not an SNS entry payload");
            }
            Header h = Json.read(payload.substring(0, nl), Header.class);
            return new Entry(
                    h.subject(),
                    h.structure(),
                    h.attributes() == null ? Map.of() : h.attributes(),
                    h.groupId(),
                    h.dedupId(),
                    payload.substring(nl + 1));
        }
    }
}
