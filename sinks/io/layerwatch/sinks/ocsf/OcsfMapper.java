package io.layerwatch.sinks.ocsf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layerwatch.config.AttackTechnique;
import io.layerwatch.config.Cidr;
import io.layerwatch.config.Severity;
import io.layerwatch.event.Principal;
import io.layerwatch.event.PrincipalNormalizer;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.Incident;
import io.layerwatch.util.AwsPartition;
import io.layerwatch.util.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * A {@link Finding} as an OCSF 1.3.0 Detection Finding (class_uid 2004, category Findings), one
 * JSON line. 1.3.0 is the one schema version of the whole OCSF stream (Remediation Activities too);
 * the profiles used are cloud (cloud, resources' region) and host (actor).
 *
 * <ul>
 *   <li>activity_id 1 Create for the first version of a finding id, 2 Update for later ones (a
 *       folded episode grown, a registry seen again): the caller says which ({@link
 *       OcsfFindingVersions} remembers the ids sent). Consumers upsert by finding_info.uid;
 *       metadata.uid names this version.
 *   <li>time, finding_info.last_seen_time and modified_time are the last event time; created_time
 *       and first_seen_time the first event time (event time, so replays and reruns map
 *       identically).
 *   <li>finding_info.attacks: one per ATT&CK technique of the rule, with its tactic; a
 *       sub-technique (T1078.004) is sub_technique, its parent (T1078) technique.
 *   <li>evidences: one per raw record the finding carries, with the call (api), caller (actor) and
 *       source (src_endpoint: ip for an IP literal, svc_name for an AWS service name) read from the
 *       record, and the complete original record under data. Detection Finding has no top-level
 *       src_endpoint; the finding's own source IP is in unmapped.
 *   <li>unmapped holds LayerWatch's fields without an OCSF home: key, eventIds, sourceIp,
 *       userAgent, sessionName, the rule's details.
 * </ul>
 *
 * An incident (rule attack-sequence) is an Incident Finding (class_uid 2005) instead that
 * references its members' Detection Findings; see {@link #toNode}.
 *
 * <p>Lines above {@link #MAX_LINE_BYTES} are trimmed, never dropped: whole evidences go first (the
 * ones kept stay complete), then details, then event ids; unmapped.truncated says what was left
 * out.
 */
public final class OcsfMapper {

    /** The schema version of every OCSF event LayerWatch emits. */
    public static final String OCSF_VERSION = "1.3.0";

    public static final String PRODUCT = "LayerWatch";
    public static final String PRODUCT_VERSION = "0.1.0";
    public static final int CLASS_UID = 2004;

    /** An incident (rule attack-sequence): Incident Finding. */
    public static final int INCIDENT_CLASS_UID = 2005;

    /** Incident Finding needs an assignee or assignee group; LayerWatch assigns none. */
    public static final String UNASSIGNED = "Unassigned";

    public static final int CATEGORY_UID = 2;
    public static final int ACTIVITY_CREATE = 1;
    public static final int ACTIVITY_UPDATE = 2;
    public static final String REPOSITORY_TYPE = "AWS::ECR::Repository";
    public static final String REGISTRY_TYPE = "AWS::ECR::Registry";

    /** Firehose's per-record limit (1,000 KiB) less the newline; Kinesis allows 1 MiB. */
    public static final int MAX_LINE_BYTES = 1_000 * 1024 - 1;

    private static final int ACCOUNT_TYPE_AWS = 10;

    private OcsfMapper() {}

    /**
     * The first version of a finding (Create) as one JSON line, trimmed to {@link #MAX_LINE_BYTES}.
     */
    public static String line(Finding f) {
        return line(f, false);
    }

    /**
     * The OCSF JSON line of a finding.
     *
     * @param update a later version of the finding id (Update), else its first (Create)
     */
    public static String line(Finding f, boolean update) {
        return line(f, update, MAX_LINE_BYTES);
    }

    /**
     * The OCSF event as one JSON line of at most {@code maxBytes} UTF-8 bytes (as far as trimming
     * allows).
     */
    public static String line(Finding f, boolean update, int maxBytes) {
        ObjectNode event = toNode(f, update);
        String line = Json.write(event);
        ObjectNode unmapped = (ObjectNode) event.get("unmapped");
        ArrayNode evidences = (ArrayNode) event.get("evidences");
        int omitted = 0;
        while (bytes(line) > maxBytes && evidences != null && !evidences.isEmpty()) {
            evidences.remove(evidences.size() - 1);
            unmapped.withObjectProperty("truncated").put("evidencesOmitted", ++omitted);
            line = Json.write(event);
        }
        for (String field : new String[] {"details", "eventIds"}) {
            if (bytes(line) > maxBytes && unmapped.remove(field) != null) {
                unmapped.withObjectProperty("truncated").put(field + "Omitted", true);
                line = Json.write(event);
            }
        }
        return line;
    }

    /**
     * The OCSF event as a JSON tree (untrimmed): an Incident Finding for an incident, else a
     * Detection Finding.
     */
    public static ObjectNode toNode(Finding f, boolean update) {
        Optional<Incident> incident = Incident.of(f);
        if (incident.isPresent()) {
            return incident(f, incident.get(), update);
        }
        ObjectNode e = findingEvent(CLASS_UID, "Detection Finding", f, update);
        e.set("metadata", metadata(f));
        e.set("finding_info", findingInfo(f));
        e.set("cloud", cloud(f));
        if (f.principal() != null) {
            Finding.FindingPrincipal p = f.principal();
            e.set(
                    "actor",
                    actor(p.arn(), p.type(), p.name(), p.accountId(), p.accessKeyId(), null));
        }
        e.putArray("resources").add(resource(f));
        if (f.evidence() != null && !f.evidence().isEmpty()) {
            ArrayNode evidences = e.putArray("evidences");
            f.evidence().forEach(record -> evidences.add(evidence(record)));
        }
        e.set("unmapped", unmapped(f));
        return e;
    }

    /**
     * An incident as an Incident Finding (2005): the story as desc, the members in
     * finding_info_list by the finding_info.uid of their own Detection Findings (their finding
     * ids), every version under one metadata.correlation_uid (the incident id). The class has no
     * actor or resources: the principal is in unmapped with the incident's details.
     */
    private static ObjectNode incident(Finding f, Incident incident, boolean update) {
        ObjectNode e = findingEvent(INCIDENT_CLASS_UID, "Incident Finding", f, update);
        put(e, "desc", incident.story());
        ObjectNode metadata = metadata(f);
        put(metadata, "correlation_uid", f.id());
        metadata.putArray("profiles").add("cloud");
        e.set("metadata", metadata);
        e.set("cloud", cloud(f));
        ArrayNode members = e.putArray("finding_info_list");
        incident.members()
                .forEach(
                        m ->
                                members.add(
                                        findingInfo(
                                                m.id(),
                                                m.title(),
                                                null,
                                                m.ruleId(),
                                                m.firstEventTime(),
                                                m.lastEventTime())));
        if (!f.attack().isEmpty()) {
            ArrayNode attacks = e.putArray("attacks");
            f.attack().forEach(t -> attacks.add(attack(t)));
        }
        e.putObject("assignee_group").put("name", UNASSIGNED);
        ObjectNode unmapped = unmapped(f);
        if (f.principal() != null) {
            unmapped.set("principal", Json.MAPPER.valueToTree(f.principal()));
        }
        e.set("unmapped", unmapped);
        return e;
    }

    /**
     * A Findings event (Create or Update) with the finding's times, count, severity, status New and
     * title.
     */
    private static ObjectNode findingEvent(
            int classUid, String className, Finding f, boolean update) {
        ObjectNode e =
                event(
                        classUid,
                        className,
                        CATEGORY_UID,
                        "Findings",
                        update ? ACTIVITY_UPDATE : ACTIVITY_CREATE,
                        update ? "Update" : "Create");
        e.put("time", millis(f.lastEventTime()));
        putMillis(e, "start_time", f.firstEventTime());
        putMillis(e, "end_time", f.lastEventTime());
        e.put("count", f.eventCount());
        e.put("timezone_offset", 0);
        e.put("severity_id", severityId(f.severity()));
        put(e, "severity", caption(f.severity()));
        e.put("status_id", 1);
        e.put("status", "New");
        put(e, "message", f.title());
        return e;
    }

    /** A new event of a class: class, category, activity and the derived type_uid / type_name. */
    static ObjectNode event(
            int classUid,
            String className,
            int categoryUid,
            String categoryName,
            int activityId,
            String activityName) {
        ObjectNode e = object();
        e.put("class_uid", classUid);
        e.put("class_name", className);
        e.put("category_uid", categoryUid);
        e.put("category_name", categoryName);
        e.put("activity_id", activityId);
        e.put("activity_name", activityName);
        e.put("type_uid", classUid * 100L + activityId);
        e.put("type_name", className + ": " + activityName);
        return e;
    }

    /** metadata with the schema version and LayerWatch as the product. */
    static ObjectNode metadata(String version) {
        ObjectNode m = object();
        m.put("version", version);
        ObjectNode product = m.putObject("product");
        product.put("name", PRODUCT);
        product.put("vendor_name", PRODUCT);
        product.put("version", PRODUCT_VERSION);
        return m;
    }

    /**
     * ASFF label to OCSF severity_id: INFORMATIONAL 1, LOW 2, MEDIUM 3, HIGH 4, CRITICAL 5 (0
     * Unknown).
     */
    public static int severityId(Severity s) {
        if (s == null) {
            return 0;
        }
        return switch (s) {
            case INFORMATIONAL -> 1;
            case LOW -> 2;
            case MEDIUM -> 3;
            case HIGH -> 4;
            case CRITICAL -> 5;
            default -> 0;
        };
    }

    private static String caption(Severity s) {
        String name = s == null ? "UNKNOWN" : s.name();
        return name.charAt(0) + name.substring(1).toLowerCase(Locale.ROOT);
    }

    private static ObjectNode metadata(Finding f) {
        ObjectNode m = metadata(OCSF_VERSION);
        // One uid per emitted version: an episode update has the same finding id but more events.
        put(m, "uid", f.id() + ":" + millis(f.lastEventTime()) + ":" + f.eventCount());
        m.putArray("profiles").add("cloud").add("host");
        return m;
    }

    private static ObjectNode findingInfo(Finding f) {
        ObjectNode i =
                findingInfo(
                        f.id(),
                        f.title(),
                        f.description(),
                        f.ruleId(),
                        f.firstEventTime(),
                        f.lastEventTime());
        if (!f.attack().isEmpty()) {
            ArrayNode attacks = i.putArray("attacks");
            f.attack().forEach(t -> attacks.add(attack(t)));
        }
        return i;
    }

    /**
     * finding_info of a finding: a Detection Finding's own, or a member's in an incident's
     * finding_info_list.
     */
    private static ObjectNode findingInfo(
            String id, String title, String desc, String ruleId, Instant first, Instant last) {
        ObjectNode i = object();
        put(i, "uid", id);
        put(i, "title", title);
        put(i, "desc", desc);
        if (ruleId != null) {
            i.putArray("types").add(ruleId);
        }
        putMillis(i, "created_time", first);
        putMillis(i, "first_seen_time", first);
        putMillis(i, "last_seen_time", last);
        putMillis(i, "modified_time", last);
        ObjectNode analytic = i.putObject("analytic");
        put(analytic, "name", ruleId);
        put(analytic, "uid", ruleId);
        analytic.put("type_id", 1);
        analytic.put("type", "Rule");
        return i;
    }

    /** One ATT&CK technique; a sub-technique goes with its parent in technique. */
    private static ObjectNode attack(AttackTechnique t) {
        ObjectNode a = object();
        a.set("tactic", uidAndName(t.tactic(), t.tacticName()));
        a.set("technique", uidAndName(t.parentTechnique(), t.parentName()));
        if (t.subTechnique()) {
            a.set("sub_technique", uidAndName(t.technique(), t.subTechniqueName()));
        }
        a.put("version", AttackTechnique.ATTACK_VERSION);
        return a;
    }

    private static ObjectNode uidAndName(String uid, String name) {
        ObjectNode o = object();
        put(o, "uid", uid);
        put(o, "name", name);
        return o;
    }

    private static ObjectNode cloud(Finding f) {
        ObjectNode c = object();
        c.put("provider", "AWS");
        put(c, "region", f.region());
        if (f.accountId() != null) {
            c.set("account", account(f.accountId()));
        }
        return c;
    }

    /**
     * The repository (type AWS::ECR::Repository, uid its ARN), or the registry for registry-wide
     * findings.
     */
    private static ObjectNode resource(Finding f) {
        ObjectNode r = object();
        String partition = AwsPartition.of(f.region());
        Finding.FindingRepository repo = f.repository();
        if (repo != null) {
            String registry = repo.registryId() != null ? repo.registryId() : f.accountId();
            r.put("type", REPOSITORY_TYPE);
            put(
                    r,
                    "uid",
                    "arn:"
                            + partition
                            + ":ecr:"
                            + f.region()
                            + ":"
                            + registry
                            + ":repository/"
                            + repo.name());
            put(r, "name", repo.name());
        } else {
            r.put("type", REGISTRY_TYPE);
            put(r, "uid", f.accountId());
            put(r, "name", f.accountId());
        }
        put(r, "region", f.region());
        r.put("cloud_partition", partition);
        return r;
    }

    /**
     * OCSF actor: user (uid = principal key ARN) plus invoked_by for AWS services, session for role
     * sessions.
     */
    private static ObjectNode actor(
            String arn,
            String type,
            String name,
            String accountId,
            String accessKeyId,
            String sessionArn) {
        ObjectNode actor = object();
        ObjectNode user = actor.putObject("user");
        put(user, "uid", arn);
        put(user, "name", name);
        put(user, "type", type);
        user.put("type_id", userTypeId(type));
        put(user, "credential_uid", accessKeyId);
        if (accountId != null) {
            user.set("account", account(accountId));
        }
        if (Principal.TYPE_AWS_SERVICE.equals(type)) {
            put(actor, "invoked_by", name);
        }
        if (sessionArn != null) {
            ObjectNode session = actor.putObject("session");
            put(session, "issuer", arn);
            put(session, "uid_alt", sessionArn);
            put(session, "credential_uid", accessKeyId);
        }
        return actor;
    }

    /**
     * OCSF 1.3.0 user.type_id: 2 Admin (root), 0 Unknown, else 99 Other with type the CloudTrail
     * identity type. An AWS service is 99 "AWSService" (named in actor.invoked_by): 3 System is a
     * host's own account (a Windows computer account), which a service principal is not.
     */
    private static int userTypeId(String type) {
        if (type == null || Principal.TYPE_UNKNOWN.equals(type)) {
            return 0;
        }
        return Principal.TYPE_ROOT.equals(type) ? 2 : 99;
    }

    static ObjectNode account(String uid) {
        ObjectNode a = object();
        a.put("uid", uid);
        a.put("type_id", ACCOUNT_TYPE_AWS);
        a.put("type", "AWS Account");
        return a;
    }

    /**
     * One evidence: the complete record under data; for a CloudTrail record also api, actor and
     * src_endpoint. Other records (EventBridge scan events) carry data only.
     */
    private static ObjectNode evidence(JsonNode record) {
        ObjectNode ev = object();
        if (record.hasNonNull("eventName") && record.hasNonNull("eventSource")) {
            ev.set("api", api(record));
            Principal p =
                    PrincipalNormalizer.normalize(
                            record.get("userIdentity"), text(record, "recipientAccountId"));
            ev.set(
                    "actor",
                    actor(
                            p.arn(),
                            p.type(),
                            p.name(),
                            p.accountId(),
                            p.accessKeyId(),
                            p.sessionArn()));
            ObjectNode src = sourceEndpoint(text(record, "sourceIPAddress"));
            if (src != null) {
                ev.set("src_endpoint", src);
            }
        }
        ev.set("data", record);
        return ev;
    }

    private static ObjectNode api(JsonNode record) {
        ObjectNode api = object();
        api.put("operation", text(record, "eventName"));
        api.putObject("service").put("name", text(record, "eventSource"));
        String requestId = text(record, "requestID");
        if (requestId != null) {
            api.putObject("request").put("uid", requestId);
        }
        String error = text(record, "errorCode");
        if (error != null) {
            ObjectNode response = api.putObject("response");
            response.put("error", error);
            put(response, "error_message", text(record, "errorMessage"));
        }
        return api;
    }

    /**
     * ip for an IPv4/IPv6 literal; CloudTrail's service names ("ecr.amazonaws.com", "AWS Internal")
     * as svc_name.
     */
    static ObjectNode sourceEndpoint(String source) {
        if (source == null || source.isEmpty()) {
            return null;
        }
        ObjectNode src = object();
        src.put(Cidr.isIpAddress(source) ? "ip" : "svc_name", source);
        return src;
    }

    private static ObjectNode unmapped(Finding f) {
        ObjectNode u = object();
        put(u, "key", f.key());
        if (f.eventIds() != null) {
            ArrayNode ids = u.putArray("eventIds");
            f.eventIds().forEach(ids::add);
        }
        put(u, "sourceIp", f.sourceIp());
        put(u, "userAgent", f.userAgent());
        if (f.principal() != null) {
            put(u, "sessionName", f.principal().sessionName());
        }
        if (f.details() != null && !f.details().isEmpty()) {
            u.set("details", Json.MAPPER.valueToTree(f.details()));
        }
        return u;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
    }

    static void put(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    private static void putMillis(ObjectNode node, String field, Instant t) {
        if (t != null) {
            node.put(field, t.toEpochMilli());
        }
    }

    private static long millis(Instant t) {
        return t == null ? 0 : t.toEpochMilli();
    }

    private static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    static ObjectNode object() {
        return Json.MAPPER.createObjectNode();
    }
}
