package io.layerwatch.event;

import static io.layerwatch.event.PrincipalNormalizer.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** Maps one JSON record (CloudTrail record or EventBridge event) onto an {@link EcrEvent}. */
public final class EventMapper {

    /** Why a record could not be mapped; becomes the dead-letter reason. */
    public static final class InvalidRecord extends Exception {
        public InvalidRecord(String message) {
            super(message, null, false, false);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private EventMapper() {}

    public static EcrEvent cloudTrail(
            JsonNode record, String fallbackRegion, String fallbackAccount) throws InvalidRecord {
        return cloudTrail(
                CloudTrailFields.of(record), json(record), fallbackRegion, fallbackAccount);
    }

    /**
     * The event of a CloudTrail record.
     *
     * @param raw the record's compact JSON (the evidence; the stand-in id of a record without
     *     eventID)
     */
    public static EcrEvent cloudTrail(
            CloudTrailFields record, RawJson raw, String fallbackRegion, String fallbackAccount)
            throws InvalidRecord {
        if (record.eventSource() == null || record.eventName() == null) {
            throw new InvalidRecord("CloudTrail record without eventSource/eventName");
        }
        long time = parseTime(record.eventTime(), "eventTime");
        String account =
                first(
                        record.recipientAccountId(),
                        fallbackAccount,
                        record.userIdentity().text("accountId"));
        String region = first(record.awsRegion(), fallbackRegion, null);
        Fields params = record.requestParameters();
        String repository = repositoryName(params.text("repositoryName"));
        String registryId = first(params.text("registryId"), account, null);
        String id = record.eventId();
        return new EcrEvent(
                id != null ? id : nameUuid(raw),
                time,
                EventKind.API_CALL,
                record.eventSource(),
                record.eventName(),
                region,
                account,
                PrincipalNormalizer.normalize(record.userIdentity(), account),
                record.sourceIp(),
                record.userAgent(),
                record.vpcEndpointId(),
                record.errorCode(),
                registryId,
                repository,
                params.text("layerDigest"),
                imageDigest(params),
                imageTags(params),
                null,
                0,
                0,
                params.text("policyText"),
                raw);
    }

    /** "ECR Image Scan" (basic) and "Inspector2 Scan" (enhanced) EventBridge events. */
    public static EcrEvent scan(JsonNode envelope, JsonNode detail) throws InvalidRecord {
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
        RawJson raw = json(envelope);
        return new EcrEvent(
                envelopeId(envelope, raw),
                parseTime(text(envelope, "time"), "time"),
                EventKind.IMAGE_SCAN,
                text(envelope, "source"),
                text(envelope, "detail-type"),
                region,
                account,
                service(text(envelope, "source")),
                null,
                null,
                null,
                null,
                registryId,
                repositoryName(repoField),
                null,
                text(detail, "image-digest"),
                joinTags(detail.get("image-tags")),
                text(detail, "scan-status"),
                counts.path("CRITICAL").asInt(0),
                counts.path("HIGH").asInt(0),
                null,
                raw);
    }

    /** "ECR Image Action" and any other EventBridge event that is not a CloudTrail call. */
    public static EcrEvent other(JsonNode envelope, JsonNode detail, EventKind kind)
            throws InvalidRecord {
        String account = text(envelope, "account");
        String source = text(envelope, "source");
        RawJson raw = json(envelope);
        return new EcrEvent(
                envelopeId(envelope, raw),
                parseTime(text(envelope, "time"), "time"),
                kind,
                source,
                text(envelope, "detail-type"),
                text(envelope, "region"),
                account,
                service(source),
                null,
                null,
                null,
                null,
                account,
                repositoryName(text(detail, "repository-name")),
                null,
                text(detail, "image-digest"),
                text(detail, "image-tag"),
                text(detail, "result"),
                0,
                0,
                null,
                raw);
    }

    /**
     * detail-type of the EventBridge event Security Hub sends when an analyst runs a custom action.
     */
    public static final String CUSTOM_ACTION = "Security Hub Findings - Custom Action";

    /**
     * "Security Hub Findings - Custom Action": one {@link EventKind#CUSTOM_ACTION} event per
     * selected finding (ASFF). eventName is the custom action id (the last part of the action ARN
     * in {@code resources}, else {@code detail.actionName}); account, region, registry, repository
     * and image digest come from the finding and its ECR resources; raw is the event with only this
     * finding.
     */
    public static List<EcrEvent> customActions(JsonNode envelope, JsonNode detail)
            throws InvalidRecord {
        JsonNode findings = detail.get("findings");
        if (findings == null || !findings.isArray()) {
            throw new InvalidRecord("Security Hub custom action without a findings array");
        }
        long time = parseTime(text(envelope, "time"), "time");
        String actionId = customActionId(envelope, detail);
        String id = envelopeId(envelope, json(envelope));
        List<EcrEvent> out = new ArrayList<>();
        int i = 0;
        for (JsonNode finding : findings) {
            if (!finding.isObject()) {
                throw new InvalidRecord(
                        "Security Hub custom action finding " + i + " is not a JSON object");
            }
            String[] ecr = ecrResource(finding);
            String account = first(text(finding, "AwsAccountId"), text(envelope, "account"), null);
            String region = first(text(finding, "Region"), ecr[3], text(envelope, "region"));
            ObjectNode narrowed = ((ObjectNode) envelope).deepCopy();
            ((ObjectNode) narrowed.get("detail")).putArray("findings").add(finding);
            out.add(
                    new EcrEvent(
                            id + "#" + i,
                            time,
                            EventKind.CUSTOM_ACTION,
                            first(text(envelope, "source"), "aws.securityhub", null),
                            actionId,
                            region,
                            account,
                            service(first(text(envelope, "source"), "aws.securityhub", null)),
                            null,
                            null,
                            null,
                            null,
                            first(ecr[0], account, null),
                            ecr[1],
                            null,
                            ecr[2],
                            null,
                            null,
                            0,
                            0,
                            null,
                            json(narrowed)));
            i++;
        }
        return out;
    }

    /** arn:aws:securityhub:REGION:ACCOUNT:action/custom/ID -> ID; else detail.actionName. */
    private static String customActionId(JsonNode envelope, JsonNode detail) {
        for (JsonNode r : envelope.path("resources")) {
            String arn = r.asText("");
            int i = arn.indexOf(":action/custom/");
            if (i > 0) {
                return arn.substring(i + ":action/custom/".length());
            }
        }
        return first(text(detail, "actionName"), "unknown", null);
    }

    /**
     * Registry id, repository name, image digest and region of the finding's first ECR resource
     * (AwsEcrContainerImage, AwsEcrRepository), else of LayerWatch's own ProductFields; nulls when
     * none.
     */
    private static String[] ecrResource(JsonNode finding) {
        for (JsonNode r : finding.path("Resources")) {
            String type = text(r, "Type");
            String arn = text(r, "Id");
            if ("AwsEcrContainerImage".equals(type)) {
                JsonNode d = r.path("Details").path("AwsEcrContainerImage");
                String[] fromArn = repositoryArn(arn);
                return new String[] {
                    first(text(d, "RegistryId"), fromArn[0], null),
                    first(text(d, "RepositoryName"), fromArn[1], null),
                    first(text(d, "ImageDigest"), fromArn[2], null),
                    first(text(r, "Region"), fromArn[3], null)
                };
            }
            if ("AwsEcrRepository".equals(type)) {
                JsonNode d = r.path("Details").path("AwsEcrRepository");
                String[] fromArn = repositoryArn(first(text(d, "Arn"), arn, null));
                return new String[] {
                    fromArn[0],
                    first(text(d, "RepositoryName"), fromArn[1], null),
                    null,
                    first(text(r, "Region"), fromArn[3], null)
                };
            }
        }
        JsonNode fields = finding.path("ProductFields");
        return new String[] {
            text(fields, "layerwatch/repository/registryId"),
            text(fields, "layerwatch/repository/name"),
            null,
            null
        };
    }

    /**
     * arn:aws:ecr:REGION:ACCOUNT:repository/NAME[/sha256:DIGEST] -> account, name, digest, region.
     */
    private static String[] repositoryArn(String arn) {
        String[] out = new String[4];
        if (arn == null || !arn.startsWith("arn:") || !arn.contains(":repository/")) {
            return out;
        }
        String[] p = arn.split(":", 6);
        out[3] = p.length > 3 && !p[3].isEmpty() ? p[3] : null;
        out[0] = p.length > 4 && !p[4].isEmpty() ? p[4] : null;
        String rest = arn.substring(arn.indexOf(":repository/") + ":repository/".length());
        int digest = rest.indexOf("/sha256:");
        out[1] = digest >= 0 ? rest.substring(0, digest) : rest;
        out[2] = digest >= 0 ? rest.substring(digest + 1) : null;
        return out;
    }

    /** The EventBridge source (aws.ecr, aws.inspector2) as the caller; never a null key or name. */
    private static Principal service(String source) {
        String name = source == null ? "unknown" : source;
        return new Principal(
                "service:" + name, Principal.TYPE_AWS_SERVICE, name, null, null, null, null);
    }

    /**
     * Epoch milliseconds of an ISO-8601 time (an offset or Z; fractions beyond milliseconds cut
     * off) or of data-lake exports' {@code yyyy-MM-dd HH:mm:ss[.fffffffff]} in UTC ({@link
     * #dataLakeTime}).
     */
    static long parseTime(String value, String field) throws InvalidRecord {
        if (value == null) {
            throw new InvalidRecord("missing " + field);
        }
        long seconds = cloudTrailTime(value);
        if (seconds != Long.MIN_VALUE) {
            return seconds * 1000;
        }
        long millis = dataLakeTime(value);
        if (millis != Long.MIN_VALUE) {
            return millis;
        }
        try {
            return isoInstant(value).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new InvalidRecord("unparseable " + field + " '" + abbreviate(value) + "'");
        } catch (ArithmeticException e) {
            // A valid ISO-8601 time too far out for epoch milliseconds (year beyond 292278994).
            throw new InvalidRecord(field + " out of range '" + abbreviate(value) + "'");
        }
    }

    private static Instant isoInstant(String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            return OffsetDateTime.parse(value).toInstant();
        }
    }

    /**
     * CloudTrail's and EventBridge's own format, yyyy-MM-ddTHH:mm:ssZ, without java.time's parser:
     * epoch seconds, or Long.MIN_VALUE for anything else (including invalid dates), which
     * Instant.parse then judges.
     */
    static long cloudTrailTime(String v) {
        return v.length() == 20 && v.charAt(19) == 'Z' ? dateTime(v, 'T') : Long.MIN_VALUE;
    }

    /** 10^(9 - n) for n fraction digits: scales them to nanoseconds. */
    private static final int[] FRACTION_SCALE = {
        1_000_000_000, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1
    };

    /**
     * The form data-lake exports (Athena, Snowflake, Panther) write, yyyy-MM-dd HH:mm:ss with an
     * optional fraction of 1 to 9 digits, in UTC: epoch milliseconds (the fraction cut off as
     * {@link Instant#toEpochMilli} does), or Long.MIN_VALUE for anything else (including invalid
     * dates).
     */
    static long dataLakeTime(String v) {
        int n = v.length();
        if (n != 19 && (n < 21 || n > 29 || v.charAt(19) != '.')) {
            return Long.MIN_VALUE;
        }
        long seconds = dateTime(v, ' ');
        int fractionDigits = Math.max(n - 20, 0);
        int fraction = digits(v, 20, fractionDigits);
        if (seconds == Long.MIN_VALUE || fraction < 0) {
            return Long.MIN_VALUE;
        }
        return seconds * 1000 + fraction * FRACTION_SCALE[fractionDigits] / 1_000_000;
    }

    /**
     * Epoch seconds of the UTC date and time yyyy-MM-dd{separator}HH:mm:ss at the start of {@code
     * v} (at least 19 characters), or Long.MIN_VALUE when it is not one (a field not digits, no
     * such day, a time of day not before 24:00).
     */
    private static long dateTime(String v, char separator) {
        if (v.charAt(4) != '-'
                || v.charAt(7) != '-'
                || v.charAt(10) != separator
                || v.charAt(13) != ':'
                || v.charAt(16) != ':') {
            return Long.MIN_VALUE;
        }
        int year = digits(v, 0, 4);
        int month = digits(v, 5, 2);
        int day = digits(v, 8, 2);
        int hour = digits(v, 11, 2);
        int minute = digits(v, 14, 2);
        int second = digits(v, 17, 2);
        if (year < 0
                || month < 1
                || month > 12
                || day < 1
                || hour < 0
                || hour > 23
                || minute < 0
                || minute > 59
                || second < 0
                || second > 59
                || day > YearMonth.of(year, month).lengthOfMonth()) {
            return Long.MIN_VALUE;
        }
        return LocalDate.of(year, month, day).toEpochDay() * 86_400L
                + hour * 3_600L
                + minute * 60L
                + second;
    }

    /** The decimal number of {@code n} ASCII digits at {@code from}; -1 if one is not a digit. */
    private static int digits(String v, int from, int n) {
        int value = 0;
        for (int i = from; i < from + n; i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static String envelopeId(JsonNode envelope, RawJson raw) {
        String id = text(envelope, "id");
        return id != null ? id : nameUuid(raw);
    }

    /**
     * A stable id for records that carry none (hand-made test records): from the record's compact
     * JSON.
     */
    private static String nameUuid(RawJson raw) {
        return UUID.nameUUIDFromBytes(raw.toBytes()).toString();
    }

    /** The compact JSON of a record, as JsonNode.toString() writes it, in UTF-8. */
    static RawJson json(JsonNode node) {
        try {
            return RawJson.of(JSON.writeValueAsBytes(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a parsed JSON tree", e);
        }
    }

    /** Accepts a plain name or a repository ARN (arn:aws:ecr:region:account:repository/name). */
    static String repositoryName(String value) {
        if (value == null) {
            return null;
        }
        int i = value.indexOf(":repository/");
        return value.startsWith("arn:") && i > 0 ? value.substring(i + 12) : value;
    }

    private static String imageDigest(Fields params) {
        String direct = params.text("imageDigest");
        if (direct != null) {
            return direct;
        }
        for (Fields id : params.objects("imageIds")) {
            String d = id.text("imageDigest");
            if (d != null) {
                return d;
            }
        }
        return null;
    }

    private static String imageTags(Fields params) {
        List<String> tags = new ArrayList<>();
        String direct = params.text("imageTag");
        if (direct != null) {
            tags.add(direct);
        }
        for (Fields id : params.objects("imageIds")) {
            String t = id.text("imageTag");
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
