package io.layerwatch.event;

import static io.layerwatch.event.PrincipalNormalizer.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** Maps one JSON record (CloudTrail record or EventBridge event) onto an {@link EcrEvent}. */
final class EventMapper {

    /** Why a record could not be mapped; becomes the dead-letter reason. */
    static final class InvalidRecord extends Exception {
        InvalidRecord(String message) {
            super(message, null, false, false);
        }
    }

    private EventMapper() {}

    static EcrEvent cloudTrail(JsonNode record, String fallbackRegion, String fallbackAccount) throws InvalidRecord {
        String eventSource = text(record, "eventSource");
        String eventName = text(record, "eventName");
        if (eventSource == null || eventName == null) {
            throw new InvalidRecord("CloudTrail record without eventSource/eventName");
        }
        long time = parseTime(text(record, "eventTime"), "eventTime");
        String account = first(text(record, "recipientAccountId"), fallbackAccount,
                text(record.path("userIdentity"), "accountId"));
        String region = first(text(record, "awsRegion"), fallbackRegion, null);
        JsonNode params = record.path("requestParameters");
        String repository = repositoryName(text(params, "repositoryName"));
        String registryId = first(text(params, "registryId"), account, null);
        String raw = record.toString();
        return new EcrEvent(
                first(text(record, "eventID"), nameUuid(raw), null),
                time,
                EventKind.API_CALL,
                eventSource,
                eventName,
                region,
                account,
                PrincipalNormalizer.normalize(record.get("userIdentity"), account),
                text(record, "sourceIPAddress"),
                text(record, "userAgent"),
                text(record, "vpcEndpointId"),
                text(record, "errorCode"),
                registryId,
                repository,
                text(params, "layerDigest"),
                imageDigest(params),
                imageTags(params),
                null,
                0,
                0,
                text(params, "policyText"),
                raw);
    }

    /** "ECR Image Scan" (basic) and "Inspector2 Scan" (enhanced) EventBridge events. */
    static EcrEvent scan(JsonNode envelope, JsonNode detail) throws InvalidRecord {
        String repoField = text(detail, "repository-name");
        if (repoField == null) {
            throw new InvalidRecord("scan event without detail.repository-name");
        }
        String account = text(envelope, "account");
        String region = text(envelope, "region");
        String registryId = account;
        if (repoField.startsWith("arn:")) {
            String acct = PrincipalNormalizer.accountOf(repoField);
            registryId = acct != null ? acct : account;
            String[] p = repoField.split(":", 6);
            if (region == null && p.length > 3) {
                region = p[3];
            }
        }
        JsonNode counts = detail.path("finding-severity-counts");
        return new EcrEvent(
                envelopeId(envelope),
                parseTime(text(envelope, "time"), "time"),
                EventKind.IMAGE_SCAN,
                text(envelope, "source"),
                text(envelope, "detail-type"),
                region,
                account,
                service(text(envelope, "source")),
                null, null, null, null,
                registryId,
                repositoryName(repoField),
                null,
                text(detail, "image-digest"),
                joinTags(detail.get("image-tags")),
                text(detail, "scan-status"),
                counts.path("CRITICAL").asInt(0),
                counts.path("HIGH").asInt(0),
                null,
                envelope.toString());
    }

    /** "ECR Image Action" and any other EventBridge event that is not a CloudTrail call. */
    static EcrEvent other(JsonNode envelope, JsonNode detail, EventKind kind) throws InvalidRecord {
        String account = text(envelope, "account");
        String source = text(envelope, "source");
        return new EcrEvent(
                envelopeId(envelope),
                parseTime(text(envelope, "time"), "time"),
                kind,
                source,
                text(envelope, "detail-type"),
                text(envelope, "region"),
                account,
                service(source),
                null, null, null, null,
                account,
                repositoryName(text(detail, "repository-name")),
                null,
                text(detail, "image-digest"),
                text(detail, "image-tag"),
                text(detail, "result"),
                0, 0, null,
                envelope.toString());
    }

    /** The EventBridge source (aws.ecr, aws.inspector2) as the caller; never a null key or name. */
    private static Principal service(String source) {
        String name = source == null ? "unknown" : source;
        return new Principal("service:" + name, Principal.TYPE_AWS_SERVICE, name, null, null, null, null);
    }

    static long parseTime(String value, String field) throws InvalidRecord {
        if (value == null) {
            throw new InvalidRecord("missing " + field);
        }
        try {
            return instant(value).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new InvalidRecord("unparseable " + field + " '" + abbreviate(value) + "'");
        } catch (ArithmeticException e) {
            // A valid ISO-8601 time too far out for epoch milliseconds (year beyond 292278994).
            throw new InvalidRecord(field + " out of range '" + abbreviate(value) + "'");
        }
    }

    private static Instant instant(String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            return OffsetDateTime.parse(value).toInstant();
        }
    }

    private static String envelopeId(JsonNode envelope) {
        return first(text(envelope, "id"), nameUuid(envelope.toString()), null);
    }

    /** A stable id for records that carry none (hand-made test records). */
    private static String nameUuid(String raw) {
        return UUID.nameUUIDFromBytes(raw.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
    }

    /** Accepts a plain name or a repository ARN (arn:aws:ecr:region:account:repository/name). */
    static String repositoryName(String value) {
        if (value == null) {
            return null;
        }
        int i = value.indexOf(":repository/");
        return value.startsWith("arn:") && i > 0 ? value.substring(i + 12) : value;
    }

    private static String imageDigest(JsonNode params) {
        String direct = text(params, "imageDigest");
        if (direct != null) {
            return direct;
        }
        for (JsonNode id : params.path("imageIds")) {
            String d = text(id, "imageDigest");
            if (d != null) {
                return d;
            }
        }
        return null;
    }

    private static String imageTags(JsonNode params) {
        List<String> tags = new ArrayList<>();
        String direct = text(params, "imageTag");
        if (direct != null) {
            tags.add(direct);
        }
        for (JsonNode id : params.path("imageIds")) {
            String t = text(id, "imageTag");
            if (t != null) {
                tags.add(t);
            }
        }
        return tags.isEmpty() ? null : String.join(",", tags);
    }

    private static String joinTags(JsonNode tags) {
        if (tags == null || !tags.isArray() || tags.isEmpty()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        tags.forEach(t -> out.add(t.asText()));
        return String.join(",", out);
    }

    static String first(String a, String b, String c) {
        return a != null ? a : b != null ? b : c;
    }

    static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }

    static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }
}
