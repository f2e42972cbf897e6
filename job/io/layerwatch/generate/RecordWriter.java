package io.layerwatch.generate;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.layerwatch.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.SplittableRandom;

/**
 * Renders CloudTrail records (the documented record structure, eventVersion 1.09) and EventBridge
 * scan events as JSON bytes with Jackson's streaming generator: no trees, so millions of records
 * stay cheap. Not thread-safe; one per generating thread.
 */
final class RecordWriter {

    /** Writes the fields of one JSON object (request parameters, response elements). */
    @FunctionalInterface
    interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    /**
     * One API call to render; reset by {@link #call}, filled by the caller, rendered by {@link
     * #render}.
     */
    static final class Call {
        long time;
        String source;
        String name;
        String region;
        String recipient;
        Actor.Session session;
        String sourceIp;
        String userAgent;
        String vpce;
        String errorCode;
        String errorMessage;
        Fields params;
        Fields response;
        Boolean readOnly;
        boolean data;
        String tlsHost;

        Call from(Actor.Session s, String ip, String vpcEndpoint, String agent) {
            this.session = s;
            this.sourceIp = ip;
            this.vpce = vpcEndpoint;
            this.userAgent = agent;
            return this;
        }

        Call params(Fields f) {
            this.params = f;
            return this;
        }

        Call response(Fields f) {
            this.response = f;
            return this;
        }

        Call error(String code, String message) {
            this.errorCode = code;
            this.errorMessage = message;
            return this;
        }
    }

    private static final JsonFactory FACTORY = Json.MAPPER.getFactory();

    private final SplittableRandom rng;
    private final TimeText times = new TimeText();
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(2048);
    private final Call call = new Call();

    RecordWriter(SplittableRandom rng) {
        this.rng = rng;
    }

    /**
     * The reusable call, reset to {@code source}/{@code name} at {@code time} in {@code region}.
     */
    Call call(long time, String source, String name, String region, String recipient) {
        Call c = call;
        c.time = time;
        c.source = source;
        c.name = name;
        c.region = region;
        c.recipient = recipient;
        c.session = null;
        c.sourceIp = null;
        c.userAgent = null;
        c.vpce = null;
        c.errorCode = null;
        c.errorMessage = null;
        c.params = null;
        c.response = null;
        c.readOnly = null;
        c.data = false;
        c.tlsHost = null;
        return c;
    }

    String time(long millis) {
        return times.format(millis);
    }

    SplittableRandom rng() {
        return rng;
    }

    byte[] render(Call c) {
        buffer.reset();
        try (JsonGenerator g = FACTORY.createGenerator(buffer, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("eventVersion", "1.09");
            identity(g, c.session);
            g.writeStringField("eventTime", times.format(c.time));
            g.writeStringField("eventSource", c.source);
            g.writeStringField("eventName", c.name);
            g.writeStringField("awsRegion", c.region);
            g.writeStringField("sourceIPAddress", c.sourceIp);
            g.writeStringField("userAgent", c.userAgent);
            if (c.errorCode != null) {
                g.writeStringField("errorCode", c.errorCode);
                g.writeStringField("errorMessage", c.errorMessage);
            }
            object(g, "requestParameters", c.params);
            object(g, "responseElements", c.errorCode == null ? c.response : null);
            g.writeStringField("requestID", Ids.uuid(rng));
            g.writeStringField("eventID", Ids.uuid(rng));
            g.writeBooleanField("readOnly", c.readOnly != null ? c.readOnly : readOnly(c.name));
            g.writeStringField("eventType", "AwsApiCall");
            g.writeBooleanField("managementEvent", !c.data);
            g.writeStringField("recipientAccountId", c.recipient);
            if (c.vpce != null) {
                g.writeStringField("vpcEndpointId", c.vpce);
                g.writeStringField("vpcEndpointAccountId", c.recipient);
            }
            g.writeStringField("eventCategory", c.data ? "Data" : "Management");
            if (c.session != null && c.session.actor().kind() != Actor.Kind.SERVICE) {
                g.writeObjectFieldStart("tlsDetails");
                g.writeStringField("tlsVersion", "TLSv1.3");
                g.writeStringField("cipherSuite", "TLS_AES_128_GCM_SHA256");
                g.writeStringField(
                        "clientProvidedHostHeader",
                        c.tlsHost != null ? c.tlsHost : host(c.source, c.region));
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    /**
     * An EventBridge scan result: "ECR Image Scan" (basic, source aws.ecr, status COMPLETE) or
     * "Inspector2 Scan" (enhanced, source aws.inspector2, status INITIAL_SCAN_COMPLETE; the
     * repository is named by its ARN). Counts are CRITICAL, HIGH, MEDIUM, LOW; zero counts are left
     * out as ECR does.
     */
    byte[] scan(
            long time,
            boolean enhanced,
            String account,
            String region,
            String repository,
            String digest,
            String tag,
            int[] counts) {
        buffer.reset();
        String repoArn = "arn:aws:ecr:" + region + ":" + account + ":repository/" + repository;
        try (JsonGenerator g = FACTORY.createGenerator(buffer, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("version", "0");
            g.writeStringField("id", Ids.uuid(rng));
            g.writeStringField("detail-type", enhanced ? "Inspector2 Scan" : "ECR Image Scan");
            g.writeStringField("source", enhanced ? "aws.inspector2" : "aws.ecr");
            g.writeStringField("account", account);
            g.writeStringField("time", times.format(time));
            g.writeStringField("region", region);
            g.writeArrayFieldStart("resources");
            g.writeString(enhanced ? repoArn + "/" + digest : repoArn);
            g.writeEndArray();
            g.writeObjectFieldStart("detail");
            g.writeStringField("scan-status", enhanced ? "INITIAL_SCAN_COMPLETE" : "COMPLETE");
            g.writeStringField("repository-name", enhanced ? repoArn : repository);
            g.writeObjectFieldStart("finding-severity-counts");
            String[] names = {"CRITICAL", "HIGH", "MEDIUM", "LOW"};
            int total = 0;
            for (int i = 0; i < names.length; i++) {
                total += counts[i];
                if (counts[i] > 0) {
                    g.writeNumberField(names[i], counts[i]);
                }
            }
            if (enhanced) {
                g.writeNumberField("TOTAL", total);
            }
            g.writeEndObject();
            g.writeStringField("image-digest", digest);
            g.writeArrayFieldStart("image-tags");
            if (tag != null) {
                g.writeString(tag);
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    private void identity(JsonGenerator g, Actor.Session s) throws IOException {
        g.writeObjectFieldStart("userIdentity");
        Actor a = s.actor();
        switch (a.kind()) {
            case SERVICE -> {
                g.writeStringField("type", "AWSService");
                g.writeStringField("invokedBy", a.name());
            }
            case USER -> {
                g.writeStringField("type", "IAMUser");
                g.writeStringField("principalId", a.uniqueId());
                g.writeStringField("arn", a.arn());
                g.writeStringField("accountId", a.account());
                g.writeStringField("accessKeyId", s.accessKeyId());
                g.writeStringField("userName", a.name());
            }
            case ROLE -> {
                g.writeStringField("type", "AssumedRole");
                g.writeStringField("principalId", a.uniqueId() + ":" + s.name());
                g.writeStringField(
                        "arn",
                        "arn:aws:sts::"
                                + a.account()
                                + ":assumed-role/"
                                + a.name()
                                + "/"
                                + s.name());
                g.writeStringField("accountId", a.account());
                g.writeStringField("accessKeyId", s.accessKeyId());
                g.writeObjectFieldStart("sessionContext");
                g.writeObjectFieldStart("sessionIssuer");
                g.writeStringField("type", "Role");
                g.writeStringField("principalId", a.uniqueId());
                g.writeStringField("arn", a.arn());
                g.writeStringField("accountId", a.account());
                g.writeStringField("userName", a.name());
                g.writeEndObject();
                g.writeObjectFieldStart("attributes");
                g.writeStringField("creationDate", times.format(s.created()));
                g.writeStringField("mfaAuthenticated", "false");
                g.writeEndObject();
                g.writeEndObject();
            }
        }
        g.writeEndObject();
    }

    private static void object(JsonGenerator g, String name, Fields fields) throws IOException {
        if (fields == null) {
            g.writeNullField(name);
            return;
        }
        g.writeObjectFieldStart(name);
        fields.write(g);
        g.writeEndObject();
    }

    private static boolean readOnly(String name) {
        return name.startsWith("Get")
                || name.startsWith("Describe")
                || name.startsWith("List")
                || name.startsWith("BatchGet")
                || name.startsWith("BatchCheck")
                || name.startsWith("Head")
                || name.startsWith("Lookup");
    }

    /** The API host name a client sends, e.g. api.ecr.us-east-1.amazonaws.com for ECR. */
    private static String host(String source, String region) {
        String service = source.substring(0, source.indexOf('.'));
        return ("ecr".equals(service) ? "api.ecr" : service) + "." + region + ".amazonaws.com";
    }

    /**
     * ISO-8601 seconds ("2026-03-02T09:00:00Z") with the date part cached: formatting is on the hot
     * path.
     */
    static final class TimeText {
        private long dayStart = Long.MIN_VALUE;
        private String datePrefix;

        String format(long millis) {
            long day = Math.floorDiv(millis, 86_400_000L);
            if (day * 86_400_000L != dayStart) {
                dayStart = day * 86_400_000L;
                datePrefix = LocalDate.ofEpochDay(day) + "T";
            }
            int s = (int) ((millis - dayStart) / 1000);
            char[] c = {
                (char) ('0' + s / 36000),
                (char) ('0' + s / 3600 % 10),
                ':',
                (char) ('0' + s % 3600 / 600),
                (char) ('0' + s % 600 / 60),
                ':',
                (char) ('0' + s % 60 / 10),
                (char) ('0' + s % 10),
                'Z'
            };
            return datePrefix + new String(c);
        }
    }
}
