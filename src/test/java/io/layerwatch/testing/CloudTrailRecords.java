package io.layerwatch.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layerwatch.event.DeadLetter;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.event.decode.DecodeOutput;
import io.layerwatch.event.decode.PayloadDecoder;
import io.layerwatch.util.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Builds CloudTrail records (the documented record structure, eventVersion 1.08) as JSON text and
 * decodes them through the real {@link PayloadDecoder}.
 *
 * <pre>{@code
 * EcrEvent e = CloudTrailRecords.record("SetRepositoryPolicy")
 *         .repositoryName("app").policyText(policy).event();
 * }</pre>
 *
 * Defaults: an ECR call by the assumed role {@code Admin} (session {@code alice}) of {@link
 * #ACCOUNT} in {@link #REGION} at {@link #TIME} from {@link #SOURCE_IP} with the AWS CLI user
 * agent, no error.
 */
public final class CloudTrailRecords {

    public static final String ACCOUNT = "111122223333";
    public static final String TRUSTED_ACCOUNT = "444455556666";
    public static final String FOREIGN_ACCOUNT = "999988887777";
    public static final String REGION = "us-east-1";
    public static final Instant TIME = Instant.parse("2024-05-01T12:00:00Z");
    public static final String SOURCE_IP = "203.0.113.10";
    public static final String USER_AGENT =
            "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023";
    public static final String ECR = "ecr.amazonaws.com";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private CloudTrailRecords() {}

    /** A record for the ECR API {@code eventName} with all defaults. */
    /**
     * A completed ECR basic scan of {@code repo} in {@link #ACCOUNT}, {@link #REGION} (an
     * EventBridge event).
     */
    public static String basicScan(String id, Instant time, String repo, int critical) {
        return """
                {"version":"0","id":"%s","detail-type":"ECR Image Scan","source":"aws.ecr","account":"%s",
                 "time":"%s","region":"%s","resources":[],"detail":{"scan-status":"COMPLETE","repository-name":"%s",
                 "finding-severity-counts":{"CRITICAL":%d},"image-digest":"sha256:img","image-tags":["v1"]}}
                """
                .formatted(id, ACCOUNT, time, REGION, repo, critical)
                .replace("\n", "");
    }

    /** {@link #TIME} plus {@code minutes}. */
    public static Instant at(int minutes) {
        return TIME.plus(Duration.ofMinutes(minutes));
    }

    public static Builder record(String eventName) {
        return new Builder().eventName(eventName);
    }

    /** An empty JSON object, e.g. for requestParameters. */
    public static ObjectNode object() {
        return NODES.objectNode();
    }

    /**
     * A JSON object from name/value pairs; values are converted with Jackson (strings, numbers,
     * maps, lists, nodes).
     */
    public static ObjectNode object(Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("name/value pairs expected");
        }
        ObjectNode node = object();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            node.set((String) namesAndValues[i], node(namesAndValues[i + 1]));
        }
        return node;
    }

    /**
     * An IAM policy document (Version 2012-10-17) around the given statement objects (JSON text
     * each).
     */
    public static String policyDocument(String... statements) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[" + String.join(",", statements) + "]}";
    }

    /** Decodes JSON text that must yield exactly one event. */
    public static EcrEvent decode(String json) {
        List<EcrEvent> events = decodeAll(json);
        if (events.size() != 1) {
            throw new AssertionError(
                    "expected exactly one event, got " + events.size() + " from " + json);
        }
        return events.get(0);
    }

    /** Decodes any payload the pipeline accepts; fails on dead letters. */
    public static List<EcrEvent> decodeAll(String json) {
        List<EcrEvent> events = new ArrayList<>();
        new PayloadDecoder()
                .decode(
                        json.getBytes(StandardCharsets.UTF_8),
                        "test",
                        new DecodeOutput() {
                            @Override
                            public void event(EcrEvent event) {
                                events.add(event);
                            }

                            @Override
                            public void deadLetter(DeadLetter deadLetter) {
                                throw new AssertionError("dead letter: " + deadLetter);
                            }
                        });
        return events;
    }

    /** Wraps records as a CloudTrail log file {@code {"Records":[...]}}. */
    public static String logFile(Builder... records) {
        StringBuilder out = new StringBuilder("{\"Records\":[");
        for (int i = 0; i < records.length; i++) {
            out.append(i == 0 ? "" : ",").append(records[i].json());
        }
        return out.append("]}").toString();
    }

    private static JsonNode node(Object value) {
        return value instanceof JsonNode ? (JsonNode) value : Json.MAPPER.valueToTree(value);
    }

    /**
     * One CloudTrail record; every setter returns this. {@link #json()} renders, {@link #event()}
     * decodes.
     */
    public static final class Builder {
        private String eventName = "DescribeRepositories";
        private String eventSource = ECR;
        private ObjectNode userIdentity = assumedRoleIdentity(ACCOUNT, "Admin", "alice");
        private Instant time = TIME;
        private String region = REGION;
        private String sourceIp = SOURCE_IP;
        private String userAgent = USER_AGENT;
        private String vpcEndpointId;
        private String errorCode;
        private String errorMessage;
        private ObjectNode requestParameters = object();
        private JsonNode responseElements;
        private String eventId;
        private String recipientAccount = ACCOUNT;
        private final ObjectNode extra = object();

        private Builder() {}

        public Builder eventName(String name) {
            this.eventName = name;
            return this;
        }

        public Builder eventSource(String source) {
            this.eventSource = source;
            return this;
        }

        /** A hand-made userIdentity object. */
        public Builder userIdentity(ObjectNode identity) {
            this.userIdentity = identity;
            return this;
        }

        /** Session {@code session} of role {@code role} in {@code account}. */
        public Builder assumedRole(String account, String role, String session) {
            return userIdentity(assumedRoleIdentity(account, role, session));
        }

        public Builder iamUser(String account, String userName) {
            return userIdentity(
                    object(
                            "type",
                            "IAMUser",
                            "principalId",
                            "AIDA" + pad(userName, 17),
                            "arn",
                            "arn:aws:iam::" + account + ":user/" + userName,
                            "accountId",
                            account,
                            "accessKeyId",
                            "AKIA" + pad(userName, 16),
                            "userName",
                            userName));
        }

        public Builder root(String account) {
            return userIdentity(
                    object(
                            "type",
                            "Root",
                            "principalId",
                            account,
                            "arn",
                            "arn:aws:iam::" + account + ":root",
                            "accountId",
                            account,
                            "accessKeyId",
                            "ASIA" + pad("root" + account, 16)));
        }

        /**
         * An AWS service acting on its own ({@code invokedBy}); source IP and user agent become the
         * service.
         */
        public Builder awsService(String service) {
            this.sourceIp = service;
            this.userAgent = service;
            return userIdentity(object("type", "AWSService", "invokedBy", service));
        }

        /** A role session of another account calling into {@link #recipientAccount(String)}. */
        public Builder crossAccount(String account) {
            return assumedRole(account, "Operator", "mallory");
        }

        public Builder sourceIp(String ip) {
            this.sourceIp = ip;
            return this;
        }

        public Builder userAgent(String agent) {
            this.userAgent = agent;
            return this;
        }

        public Builder vpcEndpointId(String id) {
            this.vpcEndpointId = id;
            return this;
        }

        /**
         * A failed call: errorCode (e.g. AccessDenied, RepositoryNotFoundException) with a generic
         * message.
         */
        public Builder errorCode(String code) {
            return error(code, code == null ? null : "The call failed with " + code);
        }

        public Builder error(String code, String message) {
            this.errorCode = code;
            this.errorMessage = message;
            return this;
        }

        public Builder time(Instant t) {
            this.time = t;
            return this;
        }

        public Builder region(String r) {
            this.region = r;
            return this;
        }

        public Builder eventId(String id) {
            this.eventId = id;
            return this;
        }

        public Builder recipientAccount(String account) {
            this.recipientAccount = account;
            return this;
        }

        /** Replaces requestParameters (a copy is kept). */
        public Builder requestParameters(ObjectNode params) {
            this.requestParameters = params == null ? null : params.deepCopy();
            return this;
        }

        public Builder requestParameters(Map<String, ?> params) {
            return requestParameters(params == null ? null : (ObjectNode) node(params));
        }

        /** Sets one request parameter. */
        public Builder param(String name, Object value) {
            if (requestParameters == null) {
                requestParameters = object();
            }
            requestParameters.set(name, node(value));
            return this;
        }

        public Builder repositoryName(String name) {
            return param("repositoryName", name);
        }

        /** requestParameters.policyText: the policy as a JSON string, as CloudTrail records it. */
        public Builder policyText(String policy) {
            return param("policyText", policy);
        }

        public Builder responseElements(Object elements) {
            this.responseElements = elements == null ? null : node(elements);
            return this;
        }

        /** Any other top-level field (e.g. tlsDetails, additionalEventData). */
        public Builder field(String name, Object value) {
            extra.set(name, node(value));
            return this;
        }

        public ObjectNode toNode() {
            ObjectNode r = object();
            r.put("eventVersion", "1.08");
            r.set("userIdentity", userIdentity);
            r.put("eventTime", time.truncatedTo(ChronoUnit.SECONDS).toString());
            r.put("eventSource", eventSource);
            r.put("eventName", eventName);
            r.put("awsRegion", region);
            r.put("sourceIPAddress", sourceIp);
            r.put("userAgent", userAgent);
            if (errorCode != null) {
                r.put("errorCode", errorCode);
                r.put("errorMessage", errorMessage);
            }
            r.set(
                    "requestParameters",
                    requestParameters == null ? NODES.nullNode() : requestParameters);
            r.set(
                    "responseElements",
                    errorCode != null || responseElements == null
                            ? NODES.nullNode()
                            : responseElements);
            r.put("requestID", UUID.randomUUID().toString());
            r.put("eventID", eventId != null ? eventId : UUID.randomUUID().toString());
            r.put("readOnly", isReadOnly(eventName));
            r.put("eventType", "AwsApiCall");
            r.put("managementEvent", true);
            r.put("recipientAccountId", recipientAccount);
            if (vpcEndpointId != null) {
                r.put("vpcEndpointId", vpcEndpointId);
            }
            r.set(
                    "tlsDetails",
                    object(
                            "tlsVersion",
                            "TLSv1.3",
                            "cipherSuite",
                            "TLS_AES_128_GCM_SHA256",
                            "clientProvidedHostHeader",
                            "api.ecr." + region + ".amazonaws.com"));
            r.setAll(extra);
            return r;
        }

        public String json() {
            return toNode().toString();
        }

        /** The record decoded by {@link PayloadDecoder}. */
        public EcrEvent event() {
            return decode(json());
        }

        private static ObjectNode assumedRoleIdentity(String account, String role, String session) {
            String roleId = "AROA" + pad(role, 17);
            ObjectNode issuer =
                    object(
                            "type",
                            "Role",
                            "principalId",
                            roleId,
                            "arn",
                            "arn:aws:iam::" + account + ":role/" + role,
                            "accountId",
                            account,
                            "userName",
                            role);
            ObjectNode context =
                    object(
                            "sessionIssuer",
                            issuer,
                            "webIdFederationData",
                            object(),
                            "attributes",
                            object(
                                    "creationDate",
                                    TIME.minusSeconds(600).toString(),
                                    "mfaAuthenticated",
                                    "false"));
            return object(
                    "type",
                    "AssumedRole",
                    "principalId",
                    roleId + ":" + session,
                    "arn",
                    "arn:aws:sts::" + account + ":assumed-role/" + role + "/" + session,
                    "accountId",
                    account,
                    "accessKeyId",
                    "ASIA" + pad(role + session, 16),
                    "sessionContext",
                    context);
        }

        private static boolean isReadOnly(String name) {
            return name != null
                    && (name.startsWith("Get")
                            || name.startsWith("Describe")
                            || name.startsWith("List")
                            || name.startsWith("BatchGet")
                            || name.startsWith("BatchCheck"));
        }

        /**
         * Upper-case letters and digits of {@code seed}, padded/cut to {@code n}: plausible, stable
         * ids.
         */
        private static String pad(String seed, int n) {
            String s = seed.toUpperCase().replaceAll("[^A-Z0-9]", "");
            StringBuilder out = new StringBuilder(s.length() > n ? s.substring(0, n) : s);
            while (out.length() < n) {
                out.append('X');
            }
            return out.toString();
        }
    }
}
