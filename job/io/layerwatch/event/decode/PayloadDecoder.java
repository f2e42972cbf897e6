package io.layerwatch.event.decode;

import static io.layerwatch.event.PrincipalNormalizer.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.layerwatch.config.CloudWatchLogsSenders;
import io.layerwatch.event.CloudTrailFields;
import io.layerwatch.event.DeadLetter;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.event.EventKind;
import io.layerwatch.event.EventMapper;
import io.layerwatch.event.RawJson;
import io.layerwatch.event.SessionKeys;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The input shapes LayerWatch accepts, and what each becomes. A payload's shape is detected by its
 * content, never by a file name; the payload's framing (gzip, JSON lines, size limits, the
 * prefilter and the log-file fast paths) is {@link PayloadReader}'s, and every shape below comes
 * out the same through it.
 *
 * <ul>
 *   <li>gzip, up to two levels deep (CloudWatch Logs subscription data, {@code .json.gz} log
 *       files): its content, as below. Over input.maxInflatedBytes, plain or inflated: a dead
 *       letter.
 *   <li>JSON lines, or several JSON values one after another: each value as below; a malformed line
 *       is one dead letter and costs only that line. An empty payload is skipped.
 *   <li>A JSON array: each element as below; an empty array is skipped, an element that is not an
 *       object is a dead letter.
 *   <li>A CloudTrail log file {@code {"Records":[...]}}: one event per record.
 *   <li>A CloudWatch Logs subscription message ({@code messageType}, {@code logEvents}): a control
 *       message is skipped; otherwise each log event's message, a JSON object, as below. A message
 *       whose {@code owner} or {@code logGroup} its {@link CloudWatchLogsSenders} do not accept is
 *       rejected whole ({@link DecodeOutput#rejected}), none of its log events decoded; so is a
 *       CloudWatch Logs message inside a log event, whose owner and log group are only the writer's
 *       claim.
 *   <li>An EventBridge envelope ({@code detail-type}, {@code detail}), by detail-type: a CloudTrail
 *       API call or service event becomes its record's event (the envelope's region and account
 *       fill in for the record's); an Inspector2 scan of a container image, or an ECR image scan, a
 *       scan event (Inspector scans of other resources an {@link EventKind#OTHER} event); an ECR
 *       image action an {@link EventKind#IMAGE_ACTION} event; a Security Hub custom action one
 *       event per selected finding; any other detail-type an {@link EventKind#OTHER} event.
 *   <li>A raw CloudTrail record ({@code eventVersion}, or {@code eventSource} and {@code
 *       eventName}): its event.
 *   <li>Any other JSON object or value: a dead letter.
 * </ul>
 *
 * <p>Never throws for the input's sake: whatever cannot be decoded goes to {@link
 * DecodeOutput#deadLetter} with a reason and the offending bytes. An invalid record is a dead
 * letter of its own.
 *
 * <p>With the prefilter on, CloudTrail records of other services (log-file records, standalone
 * records and CloudWatch Logs messages) that the byte-level prefilter vouches for go to {@link
 * DecodeOutput#prefiltered} instead of being parsed; everything else, including every dead letter
 * and skip, comes out exactly as without it.
 *
 * <p>A record of another service that is the first sighting of a session key comes out as a {@link
 * EventKind#SESSION_ORIGIN} event, with the prefilter on or off.
 */
public final class PayloadDecoder {

    public static final String STAGE = "decode";

    /**
     * input.maxInflatedBytes of the built-in rules file; the decoders of tests and tools that have
     * no rules.
     */
    public static final long DEFAULT_MAX_INFLATED_BYTES = 256L << 20;

    private static final Logger LOG = LoggerFactory.getLogger(PayloadDecoder.class);

    /** The warning that CloudWatch Logs senders are not restricted: once per JVM. */
    private static final AtomicBoolean WARNED_UNRESTRICTED = new AtomicBoolean();

    /**
     * How CloudTrail log-file records are read; each gives the same output as the one before it.
     */
    public enum Records {
        /** Every record through Jackson's tree: the reference. */
        TREE,
        /** From Jackson's token stream ({@link CloudTrailFields#read}), else the tree. */
        TOKENS,
        /** From the bytes where the byte reader vouches for them, else the tokens: the default. */
        BYTES
    }

    private final ObjectMapper mapper = new ObjectMapper();
    private final PayloadReader reader;
    private final CloudWatchLogsSenders senders;

    /** The session keys whose origin was reported. */
    private final SessionKeys origins = new SessionKeys();

    /** A decoder that emits an event for every record. */
    public PayloadDecoder() {
        this(false);
    }

    /**
     * @param prefilter skip CloudTrail records of other services that no rule analyses (counted as
     *     prefiltered)
     */
    public PayloadDecoder(boolean prefilter) {
        this(prefilter, Records.BYTES);
    }

    /**
     * @param records how to read log-file records (the tests hold each to the tree)
     */
    public PayloadDecoder(boolean prefilter, Records records) {
        this(prefilter, records, CloudWatchLogsSenders.ANY);
    }

    /**
     * @param senders whose CloudWatch Logs messages are accepted
     */
    public PayloadDecoder(boolean prefilter, CloudWatchLogsSenders senders) {
        this(prefilter, Records.BYTES, senders);
    }

    public PayloadDecoder(boolean prefilter, Records records, CloudWatchLogsSenders senders) {
        this(prefilter, records, senders, DEFAULT_MAX_INFLATED_BYTES);
    }

    /**
     * @param maxInflatedBytes input.maxInflatedBytes: a payload larger, plain or inflated, is a
     *     dead letter
     */
    public PayloadDecoder(boolean prefilter, CloudWatchLogsSenders senders, long maxInflatedBytes) {
        this(prefilter, Records.BYTES, senders, maxInflatedBytes);
    }

    public PayloadDecoder(
            boolean prefilter,
            Records records,
            CloudWatchLogsSenders senders,
            long maxInflatedBytes) {
        this.senders = senders;
        this.reader =
                new PayloadReader(
                        mapper,
                        new Accepted(),
                        prefilter,
                        records != Records.TREE,
                        records == Records.BYTES,
                        maxInflatedBytes);
    }

    public void decode(byte[] bytes, String source, DecodeOutput out) {
        decode(bytes, bytes.length, source, out);
    }

    /**
     * The payload in the first {@code length} bytes; nothing decoded keeps a reference to {@code
     * bytes}.
     */
    public void decode(byte[] bytes, int length, String source, DecodeOutput out) {
        try {
            reader.read(bytes, length, source, new Guarded(out, origins));
        } catch (DownstreamFailure e) {
            throw e.failure();
        }
    }

    // ---- the accepted shapes: what each JSON value of a payload becomes
    // ----------------------------------

    private void root(JsonNode node, String source, DecodeOutput out) {
        if (node.isArray() && node.isEmpty()) {
            out.skipped("empty JSON array");
        } else if (node.isObject()) {
            object(node, source, out);
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                if (element.isObject()) {
                    object(element, source, out);
                } else {
                    out.deadLetter(
                            DeadLetter.of(
                                    source,
                                    STAGE,
                                    "array element is not a JSON object",
                                    element.toString()));
                }
            }
        } else {
            out.deadLetter(
                    DeadLetter.of(
                            source,
                            STAGE,
                            "JSON value is not an object or array",
                            node.toString()));
        }
    }

    private void object(JsonNode node, String source, DecodeOutput out) {
        object(node, source, out, null);
    }

    /**
     * @param carrier the CloudWatch Logs message of whose log event {@code node} is the text, or
     *     null
     */
    private void object(JsonNode node, String source, DecodeOutput out, JsonNode carrier) {
        JsonNode records = node.get("Records");
        if (records != null && records.isArray()) {
            if (records.isEmpty()) {
                out.skipped("CloudTrail log file without records");
            }
            for (JsonNode record : records) {
                cloudTrail(record, null, null, source, out);
            }
        } else if (node.has("messageType") && node.has("logEvents")) {
            if (carrier != null) {
                out.rejected(
                        DeadLetter.of(
                                source,
                                STAGE,
                                "CloudWatch Logs message nested in a log event of owner "
                                        + CloudWatchLogsSenders.shown(text(carrier, "owner"))
                                        + ", log group "
                                        + CloudWatchLogsSenders.shown(text(carrier, "logGroup"))
                                        + ": its owner and log group are only the writer's claim",
                                node.toString()));
                return;
            }
            cloudWatchLogs(node, source, out);
        } else if (node.has("detail-type") && node.has("detail")) {
            eventBridge(node, source, out);
        } else if (node.has("eventVersion") || (node.has("eventSource") && node.has("eventName"))) {
            cloudTrail(node, null, null, source, out);
        } else {
            out.deadLetter(
                    DeadLetter.of(
                            source,
                            STAGE,
                            "unrecognised JSON object (fields: " + fieldNames(node) + ")",
                            node.toString()));
        }
    }

    private void cloudWatchLogs(JsonNode node, String source, DecodeOutput out) {
        String type = text(node, "messageType");
        if ("CONTROL_MESSAGE".equals(type)) {
            out.skipped("CloudWatch Logs control message");
            return;
        }
        String logSource = source + "#" + text(node, "logGroup");
        if (!accepted(node, logSource, out)) {
            return;
        }
        JsonNode logEvents = node.path("logEvents");
        if (!logEvents.isArray()) {
            out.deadLetter(
                    DeadLetter.of(logSource, STAGE, "logEvents is not an array", node.toString()));
            return;
        }
        if (logEvents.isEmpty()) {
            out.skipped("CloudWatch Logs message without log events");
            return;
        }
        for (JsonNode logEvent : logEvents) {
            String message = text(logEvent, "message");
            if (message == null) {
                out.deadLetter(
                        DeadLetter.of(
                                logSource,
                                STAGE,
                                "log event without message",
                                logEvent.toString()));
                continue;
            }
            if (reader.skippable(message)) {
                out.prefiltered();
                continue;
            }
            try {
                JsonNode record = mapper.readTree(message);
                if (record != null && record.isObject()) {
                    object(record, logSource, out, node);
                } else {
                    out.deadLetter(
                            DeadLetter.of(
                                    logSource,
                                    STAGE,
                                    "log event message is not a JSON object",
                                    message));
                }
            } catch (JsonProcessingException e) {
                out.deadLetter(
                        DeadLetter.of(
                                logSource,
                                STAGE,
                                "malformed JSON in log event: " + e.getOriginalMessage(),
                                message));
            }
        }
    }

    /**
     * Whether the message's sender is accepted; a rejected message is a dead letter of its own,
     * counted apart.
     */
    private boolean accepted(JsonNode message, String logSource, DecodeOutput out) {
        String owner = text(message, "owner");
        String logGroup = text(message, "logGroup");
        String rejection = senders.rejection(owner, logGroup);
        if (rejection != null) {
            out.rejected(DeadLetter.of(logSource, STAGE, rejection, message.toString()));
            return false;
        }
        if (!senders.restricted() && WARNED_UNRESTRICTED.compareAndSet(false, true)) {
            LOG.warn(
                    "CloudWatch Logs messages are accepted from any owner and log group (this one: owner {}, log"
                            + " group {}); when other accounts can send to the stream, list the senders in {} and {} (on"
                            + " Managed Service for Apache Flink: KinesisSource.cloudwatch.logs.owners and"
                            + " .log.groups)",
                    CloudWatchLogsSenders.shown(owner),
                    CloudWatchLogsSenders.shown(logGroup),
                    CloudWatchLogsSenders.OWNERS_KEY,
                    CloudWatchLogsSenders.LOG_GROUPS_KEY);
        }
        return true;
    }

    private void eventBridge(JsonNode envelope, String source, DecodeOutput out) {
        String detailType = text(envelope, "detail-type");
        JsonNode detail = envelope.get("detail");
        try {
            if (detailType == null || !detail.isObject()) {
                throw new EventMapper.InvalidRecord(
                        "EventBridge event without detail-type or detail object");
            }
            switch (detailType) {
                case "AWS API Call via CloudTrail", "AWS Service Event via CloudTrail" -> {
                    cloudTrail(
                            detail,
                            text(envelope, "region"),
                            text(envelope, "account"),
                            source,
                            out);
                    return;
                }
                case "Inspector2 Scan" -> {
                    // Inspector also scans EC2 instances and Lambda functions: only container
                    // images are ours.
                    out.event(
                            detail.has("repository-name")
                                    ? EventMapper.scan(envelope, detail)
                                    : EventMapper.other(envelope, detail, EventKind.OTHER));
                    return;
                }
                case "ECR Image Scan" -> {
                    out.event(EventMapper.scan(envelope, detail));
                    return;
                }
                case "ECR Image Action" -> {
                    out.event(EventMapper.other(envelope, detail, EventKind.IMAGE_ACTION));
                    return;
                }
                case EventMapper.CUSTOM_ACTION -> {
                    // One event per selected finding; each carries the envelope narrowed to that
                    // finding.
                    List<EcrEvent> selected = EventMapper.customActions(envelope, detail);
                    if (selected.isEmpty()) {
                        out.skipped("Security Hub custom action without findings");
                    }
                    selected.forEach(out::event);
                    return;
                }
                default -> out.event(EventMapper.other(envelope, detail, EventKind.OTHER));
            }
        } catch (EventMapper.InvalidRecord e) {
            out.deadLetter(DeadLetter.of(source, STAGE, e.getMessage(), envelope.toString()));
        }
    }

    private void cloudTrail(
            JsonNode record, String region, String account, String source, DecodeOutput out) {
        if (!record.isObject()) {
            out.deadLetter(
                    DeadLetter.of(
                            source,
                            STAGE,
                            "CloudTrail record is not a JSON object",
                            record.toString()));
            return;
        }
        try {
            out.event(EventMapper.cloudTrail(record, region, account));
        } catch (EventMapper.InvalidRecord e) {
            out.deadLetter(DeadLetter.of(source, STAGE, e.getMessage(), record.toString()));
        }
    }

    // ---- delivery and limits
    // ----------------------------------------------------------------------------

    /**
     * Delivers to the receiver: a record of another service first sighting a session key as its
     * origin.
     */
    private record Guarded(DecodeOutput out, SessionKeys origins) implements DecodeOutput {
        @Override
        public void event(EcrEvent event) {
            boolean origin =
                    event.isApiCall()
                            && !EcrEvent.ECR_SOURCE.equals(event.eventSource())
                            && SessionKeys.isSessionKey(event.principal().accessKeyId())
                            && origins.firstSighting(
                                    event.principal().accessKeyId(), event.eventTime());
            DownstreamFailure.guard(() -> out.event(origin ? event.asSessionOrigin() : event));
        }

        @Override
        public void deadLetter(DeadLetter deadLetter) {
            DownstreamFailure.guard(() -> out.deadLetter(deadLetter));
        }

        @Override
        public void rejected(DeadLetter deadLetter) {
            DownstreamFailure.guard(() -> out.rejected(deadLetter));
        }

        @Override
        public void skipped(String why) {
            out.skipped(why);
        }

        @Override
        public void prefiltered() {
            DownstreamFailure.guard(out::prefiltered);
        }
    }

    /** The shapes as {@link PayloadReader} hands them over, framed from the payload's bytes. */
    private final class Accepted implements Shapes {
        @Override
        public void root(JsonNode value, String source, DecodeOutput out) {
            PayloadDecoder.this.root(value, source, out);
        }

        @Override
        public void record(JsonNode record, String source, DecodeOutput out) {
            cloudTrail(record, null, null, source, out);
        }

        @Override
        public EcrEvent event(CloudTrailFields fields, RawJson raw) {
            try {
                return EventMapper.cloudTrail(fields, raw, null, null);
            } catch (EventMapper.InvalidRecord e) {
                return null;
            }
        }
    }

    /** A payload over input.maxInflatedBytes: its reason names the key. */
    public static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        public TooLarge(String reason) {
            super(reason);
        }
    }

    /** The reason of a dead letter that inflates beyond {@code max}. */
    public static String inflatesBeyond(long max) {
        return "inflates beyond input.maxInflatedBytes (" + max + " bytes)";
    }

    /**
     * The reason of a dead letter of {@code size} bytes, more than {@code max} before any
     * inflating.
     */
    public static String larger(long size, long max) {
        return larger(String.valueOf(size), max);
    }

    public static String larger(String size, long max) {
        return size + " bytes, larger than input.maxInflatedBytes (" + max + " bytes)";
    }

    private static String fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        Iterator<String> it = node.fieldNames();
        while (it.hasNext() && names.size() < 8) {
            names.add(it.next());
        }
        return String.join(", ", names);
    }
}
