package io.layerwatch.sinks.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.stream.IntStream;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;

class DeliveryLayerTest {

    static AwsServiceException aws(int status, String code) {
        return AwsServiceException.builder()
                .statusCode(status)
                .awsErrorDetails(
                        AwsErrorDetails.builder().errorCode(code).errorMessage(code).build())
                .build();
    }

    @Test
    void classifiesRetryableAndFinalErrors() {
        assertThat(ErrorClassifier.classify(aws(400, "Throttling")).status())
                .isEqualTo(EntryResult.Status.RETRY);
        assertThat(ErrorClassifier.classify(aws(429, "TooManyRequestsException")).status())
                .isEqualTo(EntryResult.Status.RETRY);
        assertThat(ErrorClassifier.classify(aws(503, "ServiceUnavailable")).status())
                .isEqualTo(EntryResult.Status.RETRY);
        assertThat(ErrorClassifier.classify(aws(400, "InvalidParameter")).status())
                .isEqualTo(EntryResult.Status.REJECTED);
        assertThat(ErrorClassifier.classify(aws(403, "AccessDenied")).status())
                .isEqualTo(EntryResult.Status.REJECTED);
        assertThat(ErrorClassifier.classify(ApiCallAttemptTimeoutException.create(1000)).status())
                .isEqualTo(EntryResult.Status.RETRY);
        assertThat(ErrorClassifier.classify(SdkClientException.create("connection reset")).status())
                .isEqualTo(EntryResult.Status.RETRY);
        assertThat(
                        ErrorClassifier.classify(new CompletionException(aws(500, "InternalError")))
                                .status())
                .isEqualTo(EntryResult.Status.RETRY);
        assertThat(ErrorClassifier.classify(new IllegalArgumentException("bad")).status())
                .isEqualTo(EntryResult.Status.REJECTED);
        assertThat(ErrorClassifier.classifyHttp(408, "").status())
                .isEqualTo(EntryResult.Status.RETRY);
        assertThat(ErrorClassifier.classifyHttp(404, "not found"))
                .isEqualTo(EntryResult.rejected("HTTP 404 (9-byte body)"));
    }

    @Test
    void backoffGrowsExponentiallyWithJitterUpToTheCap() {
        RetryPolicy p = new RetryPolicy(10, Duration.ofMillis(100), Duration.ofSeconds(1));
        for (int i = 0; i < 50; i++) {
            assertThat(p.backoff(1).toMillis()).isBetween(50L, 100L);
            assertThat(p.backoff(3).toMillis()).isBetween(200L, 400L);
            assertThat(p.backoff(9).toMillis()).isBetween(500L, 1000L);
        }
        long distinct =
                IntStream.range(0, 50).mapToLong(i -> p.backoff(4).toMillis()).distinct().count();
        assertThat(distinct).isGreaterThan(1);
    }

    @Test
    void bufferedEntriesSurviveTheCheckpointSerializer() throws Exception {
        Delivery a = new Delivery("id-1", "{\"x\":\"ü\"}", "{\"id\":\"id-1\"}", 2, null);
        Delivery b = Delivery.unencodable("id-2", "{\"id\":\"id-2\"}", "too big");
        DeliverySink.StateSerializer s = new DeliverySink.StateSerializer();
        BufferedRequestState<Delivery> state =
                new BufferedRequestState<>(
                        List.of(
                                new RequestEntryWrapper<>(a, a.sizeInBytes()),
                                new RequestEntryWrapper<>(b, b.sizeInBytes())));
        BufferedRequestState<Delivery> back = s.deserialize(s.getVersion(), s.serialize(state));
        assertThat(back.getBufferedRequestEntries())
                .extracting(RequestEntryWrapper::getRequestEntry)
                .containsExactly(a, b);
    }
}
