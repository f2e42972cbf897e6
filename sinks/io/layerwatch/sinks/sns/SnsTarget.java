package io.layerwatch.sinks.sns;

import io.layerwatch.finding.Finding;
import io.layerwatch.sinks.aws.AwsClientSettings;
import io.layerwatch.sinks.delivery.Delivery;
import io.layerwatch.sinks.delivery.DeliveryClient;
import io.layerwatch.sinks.delivery.EntryResult;
import io.layerwatch.sinks.delivery.FindingTarget;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sns.model.MessageAttributeValue;
import software.amazon.awssdk.services.sns.model.PublishBatchRequestEntry;
import software.amazon.awssdk.services.sns.model.PublishBatchResponse;

/**
 * Publishes findings to an SNS topic with PublishBatch, the messages {@link SnsMessage} builds (one
 * batch entry each): the target's limits, settings and SNS client. FIFO topics are paced to their
 * default quota.
 */
public final class SnsTarget implements FindingTarget {
    private static final long serialVersionUID = 1L;

    public static final String NAME = "sns";
    public static final int MAX_BATCH_ENTRIES = 10;

    /** PublishBatch: 256 KiB for all messages (with their attributes) of one request. */
    public static final long MAX_REQUEST_BYTES = 256 * 1024;

    /** Room for what SNS counts beyond our payload bytes (attribute data types, accounting). */
    public static final long ATTRIBUTE_HEADROOM = 2 * 1024;

    public static final long MAX_ENTRY_BYTES = MAX_REQUEST_BYTES - ATTRIBUTE_HEADROOM;

    /** The default FIFO topic quota is 300 messages/s: 30 batches of 10. */
    static final double FIFO_REQUESTS_PER_SECOND = 30;

    public enum MessageFormat {
        /**
         * MessageStructure json: "default" (email, email-json, and any other protocol) is the
         * plain-text report, "sms" a one-liner, sqs/lambda/https/http/firehose the finding JSON.
         */
        TEXT_AND_JSON,
        /** The body is the finding JSON for every protocol. */
        JSON
    }

    /**
     * Where and how findings are published.
     *
     * @param topicArn the topic; ".fifo" topics get MessageGroupId and MessageDeduplicationId
     * @param aws client settings; without a region the topic ARN's region is used
     * @param format message format (default TEXT_AND_JSON)
     * @param reportBaseUrl where full findings can be looked up (base + "/" + id); nullable
     */
    public record Settings(
            String topicArn, AwsClientSettings aws, MessageFormat format, String reportBaseUrl)
            implements Serializable {
        public Settings {
            if (topicArn == null
                    || !topicArn.startsWith("arn:")
                    || topicArn.split(":", -1).length != 6) {
                throw new IllegalArgumentException("not an SNS topic ARN: " + topicArn);
            }
            aws = aws == null ? AwsClientSettings.DEFAULTS : aws;
            format = format == null ? MessageFormat.TEXT_AND_JSON : format;
            reportBaseUrl = reportBaseUrl == null || reportBaseUrl.isBlank() ? null : reportBaseUrl;
        }

        /** TEXT_AND_JSON, default client settings, no report URL. */
        public static Settings defaults(String topicArn) {
            return new Settings(
                    topicArn, AwsClientSettings.DEFAULTS, MessageFormat.TEXT_AND_JSON, null);
        }

        public Settings withAws(AwsClientSettings a) {
            return new Settings(topicArn, a, format, reportBaseUrl);
        }

        public Settings withFormat(MessageFormat f) {
            return new Settings(topicArn, aws, f, reportBaseUrl);
        }

        public Settings withReportBaseUrl(String url) {
            return new Settings(topicArn, aws, format, url);
        }

        public boolean fifo() {
            return topicArn.endsWith(".fifo");
        }

        String topicRegion() {
            return topicArn.split(":", -1)[3];
        }
    }

    private final Settings settings;
    private final SnsMessage message;

    public SnsTarget(Settings settings) {
        this.settings = settings;
        this.message = new SnsMessage(settings);
    }

    public Settings settings() {
        return settings;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Limits limits() {
        return new Limits(
                MAX_BATCH_ENTRIES,
                MAX_REQUEST_BYTES,
                MAX_ENTRY_BYTES,
                settings.fifo() ? FIFO_REQUESTS_PER_SECOND : 0);
    }

    @Override
    public String encode(Finding finding) {
        return message.encode(finding);
    }

    @Override
    public DeliveryClient connect() {
        AwsClientSettings aws =
                settings.aws().region() == null || settings.aws().region().isBlank()
                        ? settings.aws().withRegion(settings.topicRegion())
                        : settings.aws();
        return new Client(aws.build(SnsClient.builder()), settings.topicArn());
    }

    private static final class Client implements DeliveryClient {
        private final SnsClient sns;
        private final String topicArn;

        Client(SnsClient sns, String topicArn) {
            this.sns = sns;
            this.topicArn = topicArn;
        }

        /**
         * Entry ids are batch indexes: unique even when two versions of one finding share a batch.
         * A payload that cannot be read is rejected on its own, the rest is still sent.
         */
        @Override
        public List<EntryResult> send(List<Delivery> batch) {
            Map<String, EntryResult> byId = new HashMap<>();
            List<PublishBatchRequestEntry> entries = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                String id = Integer.toString(i);
                try {
                    entries.add(requestEntry(SnsMessage.Entry.parse(batch.get(i).payload()), id));
                } catch (RuntimeException e) {
                    byId.put(
                            id,
                            EntryResult.rejected(
                                    "unreadable SNS entry payload: " + e.getMessage()));
                }
            }
            if (!entries.isEmpty()) {
                PublishBatchResponse response =
                        sns.publishBatch(
                                b -> b.topicArn(topicArn).publishBatchRequestEntries(entries));
                response.successful().forEach(s -> byId.put(s.id(), EntryResult.DELIVERED));
                response.failed().forEach(e -> byId.put(e.id(), result(e)));
            }
            List<EntryResult> results = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                results.add(
                        byId.getOrDefault(
                                Integer.toString(i),
                                EntryResult.retry("no result for entry " + i)));
            }
            return results;
        }

        /** The entry as PublishBatch sends it, under the batch-unique {@code id}. */
        static PublishBatchRequestEntry requestEntry(SnsMessage.Entry e, String id) {
            Map<String, MessageAttributeValue> attrs = new LinkedHashMap<>();
            e.attributes()
                    .forEach(
                            (k, v) ->
                                    attrs.put(
                                            k,
                                            MessageAttributeValue.builder()
                                                    .dataType("String")
                                                    .stringValue(v)
                                                    .build()));
            return PublishBatchRequestEntry.builder()
                    .id(id)
                    .subject(e.subject())
                    .message(e.message())
                    .messageStructure(e.structure())
                    .messageAttributes(attrs)
                    .messageGroupId(e.groupId())
                    .messageDeduplicationId(e.dedupId())
                    .build();
        }

        /**
         * Sender faults are final, except throttling (SNS reports KMS throttling as a sender
         * fault).
         */
        static EntryResult result(BatchResultErrorEntry e) {
            String error = e.code() + ": " + e.message();
            boolean throttled = e.code() != null && e.code().contains("Throttl");
            return Boolean.TRUE.equals(e.senderFault()) && !throttled
                    ? EntryResult.rejected(error)
                    : EntryResult.retry(error);
        }

        @Override
        public void close() {
            sns.close();
        }
    }
}
