package io.layerwatch.replay;

import io.layerwatch.event.decode.PayloadDecoder;
import io.layerwatch.pipeline.FileReader;
import io.layerwatch.pipeline.InputScope;
import java.io.IOException;
import java.net.URI;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.AwsProfileRegionProvider;
import software.amazon.awssdk.regions.providers.AwsRegionProviderChain;
import software.amazon.awssdk.regions.providers.SystemSettingsRegionProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Replay input from S3: lists {@code s3://bucket/prefix} the way the CloudTrail layout allows
 * (accounts and regions out of scope are never listed, days out of range never returned) and reads
 * single objects for the decode step, so a file's bytes are fetched only when a decoder gets to it.
 *
 * <p>Endpoint: {@code --endpoint}, else the SDK's own resolution (which honours {@code
 * AWS_ENDPOINT_URL_S3} and {@code AWS_ENDPOINT_URL}); path-style addressing whenever the endpoint
 * is overridden. Region: the SDK's settings ({@code AWS_REGION}, profile), else us-east-1 with
 * cross-region access, so a bucket anywhere works. Credentials: the default chain. Throttling, 5xx
 * and connection errors are retried ({@value #MAX_ATTEMPTS} attempts, the SDK's standard backoff);
 * a file that still cannot be read is dead-lettered by the decoder.
 */
public final class S3Inputs implements FileReader.Remote {
    private static final long serialVersionUID = 1L;
    public static final String SCHEME = "s3://";

    /**
     * Attempts per request: throttling, 5xx and connection errors are retried with backoff and
     * jitter.
     */
    static final int MAX_ATTEMPTS = 5;

    private final String endpoint;
    private transient S3Client client;

    /**
     * @param endpoint an endpoint override (S3-compatible stores, tests), or null
     */
    public S3Inputs(String endpoint) {
        this.endpoint = endpoint;
    }

    public static boolean isS3(String location) {
        return location.startsWith(SCHEME);
    }

    /**
     * The objects under {@code uri} (s3://bucket or s3://bucket/prefix) that the scope may keep.
     */
    public List<InputFile> list(String uri, InputScope scope) throws IOException {
        Location at = Location.parse(uri);
        List<InputFile> found = new ArrayList<>();
        try (S3Client s3 = newClient()) {
            walk(s3, at.bucket(), at.key(), scope, found);
        } catch (SdkException e) {
            throw failure("cannot list " + uri, e);
        }
        return found;
    }

    /** The whole object, for the decoder (one file per decoder in memory). */
    @Override
    public boolean holds(String location) {
        return isS3(location);
    }

    @Override
    public byte[] read(String location, long maxBytes) throws IOException {
        Location at = Location.parse(location);
        try (ResponseInputStream<GetObjectResponse> in =
                client().getObject(b -> b.bucket(at.bucket()).key(at.key()))) {
            Long length = in.response().contentLength();
            byte[] bytes =
                    length != null && length > maxBytes
                            ? null
                            : in.readNBytes(
                                    (int)
                                            Math.min(
                                                    maxBytes + 1,
                                                    Integer.MAX_VALUE
                                                            - 8)); // one more tells "too big"
            if (bytes == null || bytes.length > maxBytes) {
                in.abort();
                throw new PayloadDecoder.TooLarge(
                        PayloadDecoder.larger(
                                length == null ? "over " + maxBytes : length.toString(), maxBytes));
            }
            return bytes;
        } catch (SdkException e) {
            throw failure(null, e);
        }
    }

    /**
     * Walks the layout: below AWSLogs/ only accounts in scope, below ACCOUNT/ only CloudTrail/ (no
     * digests or Insights), below CloudTrail/ only regions in scope, below REGION/ one listing from
     * the first day in range (start-after) that stops past the last. Elsewhere folder by folder, so
     * a layout below is found.
     */
    private void walk(
            S3Client s3, String bucket, String prefix, InputScope scope, List<InputFile> found) {
        TrailPath at = TrailPath.of(prefix);
        if (!at.folderIn(scope)) {
            return;
        }
        if (at.regionPrefix() != null || (!prefix.isEmpty() && !prefix.endsWith("/"))) {
            listDays(s3, bucket, prefix, at.regionPrefix(), scope, found);
            return;
        }
        if (at.account() != null && at.trailType() == null) {
            walk(
                    s3,
                    bucket,
                    prefix + TrailPath.EVENT_LOGS + "/",
                    scope,
                    found); // ACCOUNT/: its event logs only
            return;
        }
        boolean accounts =
                prefix.endsWith("AWSLogs/")
                        || prefix.matches("(.*/)?AWSLogs/o-[^/]+/"); // no files here
        ListObjectsV2Request request =
                ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).delimiter("/").build();
        for (ListObjectsV2Response page : s3.listObjectsV2Paginator(request)) {
            if (!accounts) {
                page.contents().forEach(o -> add(bucket, o, found));
            }
            for (CommonPrefix folder : page.commonPrefixes()) {
                walk(s3, bucket, folder.prefix(), scope, found);
            }
        }
    }

    /** Everything under {@code prefix}; below a region's folder only the days in range. */
    private static void listDays(
            S3Client s3,
            String bucket,
            String prefix,
            String regionPrefix,
            InputScope scope,
            List<InputFile> found) {
        LocalDate first = regionPrefix == null ? null : TrailPath.firstDay(scope);
        LocalDate last = regionPrefix == null ? null : TrailPath.lastDay(scope);
        ListObjectsV2Request.Builder request =
                ListObjectsV2Request.builder().bucket(bucket).prefix(prefix);
        if (first != null) {
            request.startAfter(regionPrefix + TrailPath.dayFolders(first));
        }
        for (ListObjectsV2Response page : s3.listObjectsV2Paginator(request.build())) {
            for (S3Object o : page.contents()) {
                LocalDate day = last == null ? null : TrailPath.of(o.key()).day();
                if (day != null && day.isAfter(last)) {
                    return; // keys are listed in order: every later one is later still
                }
                add(bucket, o, found);
            }
        }
    }

    private static void add(String bucket, S3Object o, List<InputFile> found) {
        if (!o.key().endsWith("/")
                && !InputFiles.skipped(o.key().substring(o.key().lastIndexOf('/') + 1))) {
            found.add(
                    InputFile.of(SCHEME + bucket + "/" + o.key(), o.size() == null ? 0 : o.size()));
        }
    }

    private S3Client client() {
        if (client == null) {
            client = newClient();
        }
        return client;
    }

    private S3Client newClient() {
        S3Client s3 = build(endpoint != null);
        if (endpoint == null && s3.serviceClientConfiguration().endpointOverride().isPresent()) {
            s3.close(); // AWS_ENDPOINT_URL(_S3) names an S3-compatible store: path-style addressing
            s3 = build(true);
        }
        return s3;
    }

    private S3Client build(boolean pathStyle) {
        S3ClientBuilder b =
                S3Client.builder()
                        .credentialsProvider(DefaultCredentialsProvider.builder().build())
                        .httpClientBuilder(UrlConnectionHttpClient.builder())
                        .region(region())
                        .crossRegionAccessEnabled(true)
                        .forcePathStyle(pathStyle)
                        .overrideConfiguration(
                                c ->
                                        c.retryStrategy(
                                                AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                                        .maxAttempts(MAX_ATTEMPTS)
                                                        .build()));
        if (endpoint != null) {
            b.endpointOverride(URI.create(endpoint));
        }
        return b.build();
    }

    private static Region region() {
        try {
            return new AwsRegionProviderChain(
                            new SystemSettingsRegionProvider(), new AwsProfileRegionProvider())
                    .getRegion();
        } catch (SdkException e) {
            return Region.US_EAST_1;
        }
    }

    /**
     * One line: what failed, the S3 error code and HTTP status, without the SDK's request details.
     */
    private static IOException failure(String what, SdkException e) {
        String why = e.getMessage();
        if (e instanceof AwsServiceException s && s.awsErrorDetails() != null) {
            why =
                    s.awsErrorDetails().errorCode()
                            + " (HTTP "
                            + s.statusCode()
                            + ")"
                            + (s.awsErrorDetails().errorMessage() == null
                                    ? ""
                                    : ": " + s.awsErrorDetails().errorMessage());
        }
        IOException failure = new IOException(what == null ? why : what + ": " + why);
        failure.addSuppressed(e); // --verbose shows the SDK's exception
        return failure;
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
            client = null;
        }
    }

    record Location(String bucket, String key) {
        static Location parse(String uri) throws IOException {
            String rest = uri.substring(SCHEME.length());
            int slash = rest.indexOf('/');
            String bucket = slash < 0 ? rest : rest.substring(0, slash);
            if (bucket.isEmpty()) {
                throw new IOException(uri + ": expected s3://bucket/prefix");
            }
            return new Location(bucket, slash < 0 ? "" : rest.substring(slash + 1));
        }
    }
}
