package io.layerwatch.event;

import static io.layerwatch.event.RecordPrefilterTest.logFile;
import static io.layerwatch.event.RecordPrefilterTest.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.event.PayloadDecoderTest.Samples;
import io.layerwatch.testing.CollectingOutput;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@link PayloadDecoder#reduce}, the read-ahead's half of decoding: what it leaves of a payload, and that
 * decoding that gives what decoding the payload gives ({@link CollectingOutput#assertReduceAgrees}).
 */
class PayloadReduceTest {

    private static final String S3 = record("s3.amazonaws.com", "");
    private static final String STS = record("sts.amazonaws.com", "");
    private static final String ECR = record("ecr.amazonaws.com", "\"requestParameters\":{\"repositoryName\":\"app\"}");
    private static final String ECR2 = record("ecr.amazonaws.com", "\"requestParameters\":{\"repositoryName\":\"web\"}");

    private static PayloadDecoder.Reduced reduce(byte[] bytes) {
        return CollectingOutput.assertReduceAgrees(bytes);
    }

    private static String text(PayloadDecoder.Reduced r) {
        return new String(r.bytes(), StandardCharsets.UTF_8);
    }

    @Test
    void logFileKeepsItsEcrRecordsInOrder() {
        PayloadDecoder.Reduced r = reduce(Samples.utf8(logFile(S3, ECR, STS, ECR2, S3)));

        assertThat(r.prefiltered()).isEqualTo(3);
        assertThat(text(r)).isEqualTo(logFile(ECR, ECR2));
    }

    @Test
    void logFileOfOtherServicesOnlyLeavesNothing() {
        PayloadDecoder.Reduced r = reduce(Samples.utf8(logFile(S3, STS)));

        assertThat(r.prefiltered()).isEqualTo(2);
        assertThat(r.bytes()).isEmpty();
    }

    @Test
    void jsonLinesKeepTheLinesToParse() {
        PayloadDecoder.Reduced r = reduce(Samples.utf8(S3 + "\n" + ECR + "\r\n\n" + STS + "\n" + logFile(S3, ECR2) + "\n"));

        assertThat(r.prefiltered()).isEqualTo(3);
        assertThat(text(r)).isEqualTo(ECR + "\n" + logFile(ECR2));
    }

    @Test
    void gzipIsInflatedEvenWhenNothingIsSkipped() {
        byte[] plain = Samples.bytes(Samples.PULL);

        PayloadDecoder.Reduced r = reduce(Samples.gzip(plain));

        assertThat(r.prefiltered()).isZero();
        assertThat(r.bytes()).isEqualTo(plain);
    }

    @Test
    void gzippedLogFileIsInflatedAndReduced() {
        PayloadDecoder.Reduced r = reduce(Samples.gzip(Samples.utf8(logFile(ECR, S3))));

        assertThat(r.prefiltered()).isEqualTo(1);
        assertThat(text(r)).isEqualTo(logFile(ECR));
    }

    @Test
    void whatTheDecoderMustSeeAsItIsIsLeftAlone() {
        String ecrFile = logFile(ECR, ECR, ECR, ECR, ECR, ECR, ECR, ECR, ECR, S3); // the prefilter gives up on it
        assertThat(reduce(Samples.utf8(ecrFile))).isNull();
        assertThat(reduce(Samples.utf8(logFile(ECR, ECR2)))).as("nothing to skip").isNull();
        assertThat(reduce(Samples.utf8(logFile(S3, ECR) + "\n{\"Records\":[" + S3))).as("malformed").isNull();
        assertThat(reduce(Samples.utf8(S3 + "\n" + "\u00e9t\u00e9"))).as("not JSON after the first line").isNull();
        assertThat(reduce(Samples.utf8("  \n"))).as("empty").isNull();
        assertThat(reduce(Samples.gzip(Samples.gzip(Samples.utf8(logFile(S3, ECR)))))).as("nested gzip").isNull();
        byte[] corrupt = Samples.gzip(Samples.utf8(logFile(S3, ECR)));
        corrupt[corrupt.length / 2] ^= 0x55;
        assertThat(reduce(corrupt)).as("corrupt gzip").isNull();
    }

    @Test
    void withoutThePrefilterOnlyGzipIsInflated() {
        byte[] file = Samples.utf8(logFile(S3, ECR));
        PayloadDecoder plain = new PayloadDecoder(false);

        assertThat(plain.reduce(file)).isNull();
        PayloadDecoder.Reduced inflated = plain.reduce(Samples.gzip(file));
        assertThat(inflated.bytes()).isEqualTo(file);
        assertThat(inflated.prefiltered()).isZero();
    }
}
