package io.layerwatch.sinks.aws;

import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

/**
 * How every AWS client of LayerWatch is built: region (else the SDK's default chain, AWS_REGION),
 * endpoint override (else the SDK's own resolution, which honours AWS_ENDPOINT_URL and
 * AWS_ENDPOINT_URL_&lt;SERVICE&gt;), the default credentials chain, timeouts, and no SDK-level
 * retries (the delivery layer retries, with backoff, jitter and dead letters).
 */
public record AwsClientSettings(
        String region, String endpoint, Duration callTimeout, Duration attemptTimeout)
        implements Serializable {

    public static final AwsClientSettings DEFAULTS =
            new AwsClientSettings(null, null, Duration.ofSeconds(30), Duration.ofSeconds(10));

    public AwsClientSettings withRegion(String r) {
        return new AwsClientSettings(r, endpoint, callTimeout, attemptTimeout);
    }

    public AwsClientSettings withEndpoint(String e) {
        return new AwsClientSettings(region, e, callTimeout, attemptTimeout);
    }

    /** Applies these settings to an SDK v2 sync client builder and builds the client. */
    public <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C build(B builder) {
        builder.credentialsProvider(DefaultCredentialsProvider.builder().build())
                .httpClientBuilder(
                        UrlConnectionHttpClient.builder()
                                .connectionTimeout(attemptTimeout)
                                .socketTimeout(attemptTimeout))
                .overrideConfiguration(
                        c ->
                                c.apiCallTimeout(callTimeout)
                                        .apiCallAttemptTimeout(attemptTimeout)
                                        .retryPolicy(RetryPolicy.none()));
        if (region != null && !region.isBlank()) {
            builder.region(Region.of(region));
        }
        if (endpoint != null && !endpoint.isBlank()) {
            builder.endpointOverride(URI.create(endpoint));
        }
        return builder.build();
    }
}
