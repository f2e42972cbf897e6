package io.layerwatch.finding;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RuleSettings;
import io.layerwatch.config.Severity;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.event.Principal;
import io.layerwatch.util.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link Finding} from a rule's evidence events and its catalog entry; computes the
 * deterministic id.
 */
public final class FindingBuilder {

    /** Evidence kept in full per finding; the count and time range cover all events. */
    public static final int MAX_EVIDENCE = 5;

    public static final int MAX_EVENT_IDS = 100;

    /**
     * Orders evidence by event time, then event id, so any arrival order gives the same first
     * event.
     */
    public static final Comparator<EcrEvent> EVENT_ORDER =
            Comparator.comparingLong(EcrEvent::eventTime).thenComparing(EcrEvent::eventId);

    private final String ruleId;
    private Severity severity;
    private final List<EcrEvent> events = new ArrayList<>();
    private final Map<String, Object> details = new LinkedHashMap<>();
    private String title;
    private String description;
    private String key;
    private long eventCount = -1;
    private EcrEvent subject;
    private EcrEvent repositoryOf;

    private FindingBuilder(String ruleId, Severity severity) {
        this.ruleId = ruleId;
        this.severity = severity;
    }

    public static FindingBuilder of(RuleSettings settings) {
        return new FindingBuilder(settings.ruleId(), settings.severity());
    }

    public FindingBuilder severity(Severity s) {
        this.severity = s;
        return this;
    }

    public FindingBuilder event(EcrEvent e) {
        events.add(e);
        return this;
    }

    public FindingBuilder events(Iterable<EcrEvent> es) {
        es.forEach(events::add);
        return this;
    }

    /**
     * The event whose principal, repository and network describe the finding (default: the last
     * one).
     */
    public FindingBuilder subject(EcrEvent e) {
        this.subject = e;
        return this;
    }

    /**
     * The event naming the repository, when the subject's call is registry-wide (default: the
     * subject).
     */
    public FindingBuilder repositoryFrom(EcrEvent e) {
        this.repositoryOf = e;
        return this;
    }

    public FindingBuilder title(String t) {
        this.title = t;
        return this;
    }

    public FindingBuilder description(String d) {
        this.description = d;
        return this;
    }

    /** What the rule keyed on; part of the id. Defaults to the principal ARN. */
    public FindingBuilder key(String k) {
        this.key = k;
        return this;
    }

    public FindingBuilder count(long n) {
        this.eventCount = n;
        return this;
    }

    public FindingBuilder detail(String name, Object value) {
        if (value != null) {
            details.put(name, value);
        }
        return this;
    }

    public Finding build() {
        if (events.isEmpty()) {
            throw new IllegalStateException("a finding needs at least one evidence event");
        }
        List<EcrEvent> sorted = new ArrayList<>(events);
        sorted.sort(EVENT_ORDER);
        EcrEvent first = sorted.get(0);
        EcrEvent last = sorted.get(sorted.size() - 1);
        EcrEvent s = subject != null ? subject : last;
        String k = key != null ? key : s.principal().arn();
        Principal p = s.principal();
        EcrEvent r = repositoryOf != null ? repositoryOf : s;
        List<String> ids = new ArrayList<>();
        List<JsonNode> evidence = new ArrayList<>();
        for (EcrEvent e : sorted) {
            if (ids.size() < MAX_EVENT_IDS) {
                ids.add(e.eventId());
            }
            if (evidence.size() < MAX_EVIDENCE) {
                JsonNode raw = Json.tree(e.raw());
                if (raw != null) {
                    evidence.add(raw);
                }
            }
        }
        return new Finding(
                id(ruleId, k, first.eventId()),
                ruleId,
                severity,
                title,
                description,
                s.accountId(),
                s.region(),
                new Finding.FindingPrincipal(
                        p.arn(),
                        p.type(),
                        p.name(),
                        p.accountId(),
                        p.accessKeyId(),
                        p.sessionName()),
                r.repositoryName() == null
                        ? null
                        : new Finding.FindingRepository(r.repositoryName(), r.registryId()),
                s.sourceIp(),
                s.userAgent(),
                Instant.ofEpochMilli(first.eventTime()),
                Instant.ofEpochMilli(last.eventTime()),
                eventCount >= 0 ? eventCount : sorted.size(),
                k,
                ids,
                details,
                evidence,
                RuleCatalog.attack(ruleId));
    }

    /** sha-256 of rule id, key and first evidence event id, as 32 hex characters. */
    public static String id(String ruleId, String key, String firstEventId) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] hash =
                    md.digest(
                            (ruleId + "\n" + key + "\n" + firstEventId)
                                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
