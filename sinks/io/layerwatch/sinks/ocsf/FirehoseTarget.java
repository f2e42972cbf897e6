package io.layerwatch.sinks.ocsf;

import io.layerwatch.sinks.aws.AwsClientSettings;
import io.layerwatch.sinks.delivery.Delivery;
import io.layerwatch.sinks.delivery.DeliveryClient;
import io.layerwatch.sinks.delivery.DeliveryTarget;
import io.layerwatch.sinks.delivery.EntryResult;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.firehose.FirehoseClient;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponse;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponseEntry;
import software.amazon.awssdk.services.firehose.model.Record;
import software.amazon.awssdk.services.firehose.model.ServiceUnavailableException;

/**
 * OCSF lines to an Amazon Data Firehose stream with PutRecordBatch: each record is one OCSF line
 * plus "\n", so the stream's S3 objects are JSON lines. Per-record ServiceUnavailableException and
 * InternalFailure are retried, other per-record errors rejected; a whole-request
 * ServiceUnavailableException (Firehose's "back off and retry") is retried whatever its HTTP
 * status.
 */
public final class FirehoseTarget implements DeliveryTarget<OcsfEvent> {
    private static final long serialVersionUID = 1L;

    public static final String NAME = "ocsf-firehose";

    /** PutRecordBatch: 500 records, 4 MiB per call, 1,000 KiB per record (before base64). */
    static final Limits LIMITS =
            new Limits(500, 4L * 1024 * 1024, OcsfMapper.MAX_LINE_BYTES + 1L, 0);

    private static final Set<String> RETRYABLE =
            Set.of("ServiceUnavailableException", "InternalFailure");

    private final String deliveryStream;
    private final AwsClientSettings aws;

    public FirehoseTarget(String deliveryStream, AwsClientSettings aws) {
        if (deliveryStream == null || deliveryStream.isBlank()) {
            throw new IllegalArgumentException("a Firehose delivery stream name is required");
        }
        this.deliveryStream = deliveryStream;
        this.aws = aws == null ? AwsClientSettings.DEFAULTS : aws;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Limits limits() {
        return LIMITS;
    }

    @Override
    public String encode(OcsfEvent event) {
        return event.line() + "\n";
    }

    @Override
    public String key(OcsfEvent event) {
        return event.key();
    }

    @Override
    public String record(OcsfEvent event) {
        return event.line();
    }

    @Override
    public DeliveryClient connect() {
        return new Client(aws.build(FirehoseClient.builder()), deliveryStream);
    }

    private static final class Client implements DeliveryClient {
        private final FirehoseClient firehose;
        private final String deliveryStream;

        Client(FirehoseClient firehose, String deliveryStream) {
            this.firehose = firehose;
            this.deliveryStream = deliveryStream;
        }

        @Override
        public List<EntryResult> send(List<Delivery> batch) {
            List<Record> records = new ArrayList<>(batch.size());
            for (Delivery d : batch) {
                records.add(Record.builder().data(SdkBytes.fromUtf8String(d.payload())).build());
            }
            PutRecordBatchResponse response;
            try {
                response =
                        firehose.putRecordBatch(
                                r -> r.deliveryStreamName(deliveryStream).records(records));
            } catch (ServiceUnavailableException e) {
                return new ArrayList<>(
                        Collections.nCopies(
                                batch.size(),
                                EntryResult.retry(
                                        "ServiceUnavailableException: "
                                                + e.awsErrorDetails().errorMessage())));
            }
            return results(response, batch.size());
        }

        /** One result per record, in request order (RequestResponses has the same order). */
        static List<EntryResult> results(PutRecordBatchResponse response, int size) {
            boolean allDelivered =
                    response.failedPutCount() == null || response.failedPutCount() == 0;
            List<PutRecordBatchResponseEntry> entries = response.requestResponses();
            List<EntryResult> out = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                PutRecordBatchResponseEntry entry = i < entries.size() ? entries.get(i) : null;
                if (entry == null) {
                    out.add(
                            allDelivered
                                    ? EntryResult.DELIVERED
                                    : EntryResult.retry("no result for this record"));
                } else if (entry.errorCode() == null) {
                    out.add(EntryResult.DELIVERED);
                } else {
                    String error = entry.errorCode() + ": " + entry.errorMessage();
                    out.add(
                            RETRYABLE.contains(entry.errorCode())
                                    ? EntryResult.retry(error)
                                    : EntryResult.rejected(error));
                }
            }
            return out;
        }

        @Override
        public void close() {
            firehose.close();
        }
    }
}
