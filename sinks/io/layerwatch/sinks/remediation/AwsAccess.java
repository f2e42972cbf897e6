package io.layerwatch.sinks.remediation;

import io.layerwatch.config.RemediationConfig;
import io.layerwatch.config.RemediationConfig.AccountRole;
import io.layerwatch.sinks.aws.AwsClientSettings;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequest;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * The AWS clients of the responder, all built by {@link AwsClientSettings#build} (so the SDK's
 * AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_&lt;SERVICE&gt; and config apply, and the SDK does no retries
 * of its own), one per service and region. Calls into another account carry, per request, the
 * credentials of the role {@code remediation.assumeRole} names for that account, or for inline
 * policy writes of the revoke-sessions role (STS AssumeRole, refreshed before they expire); other
 * calls use the default credentials chain.
 */
final class AwsAccess implements AutoCloseable {
    static final String SESSION_NAME = "layerwatch-remediation";

    private final RemediationConfig config;
    private final AwsClientSettings settings;
    private final Map<String, EcrClient> ecr = new ConcurrentHashMap<>();
    private final Map<String, SecretsManagerClient> secrets = new ConcurrentHashMap<>();
    private final Map<String, StsAssumeRoleCredentialsProvider> roles = new ConcurrentHashMap<>();
    private volatile IamClient iam;
    private volatile StsClient sts;

    AwsAccess(RemediationConfig config, AwsClientSettings settings) {
        this.config = config;
        this.settings = settings;
    }

    EcrClient ecr(String region) {
        return ecr.computeIfAbsent(
                region == null ? "" : region,
                r -> (r.isEmpty() ? settings : settings.withRegion(r)).build(EcrClient.builder()));
    }

    /** IAM is global: its client lives in the partition's global region. */
    synchronized IamClient iam() {
        if (iam == null) {
            String home = settings.region() == null ? "" : settings.region();
            String global =
                    home.startsWith("cn-")
                            ? "aws-cn-global"
                            : home.startsWith("us-gov-") ? "aws-us-gov-global" : "aws-global";
            iam = settings.withRegion(global).build(IamClient.builder());
        }
        return iam;
    }

    SecretsManagerClient secrets(String region) {
        return secrets.computeIfAbsent(
                region == null ? "" : region,
                r ->
                        (r.isEmpty() ? settings : settings.withRegion(r))
                                .build(SecretsManagerClient.builder()));
    }

    private synchronized StsClient sts() {
        if (sts == null) {
            sts = settings.build(StsClient.builder());
        }
        return sts;
    }

    /** The credentials of {@code role} (STS AssumeRole), or null for the default credentials. */
    private AwsCredentialsProvider credentials(AccountRole role) {
        if (role == null) {
            return null;
        }
        String key = role.roleArn() + " " + role.externalId();
        return roles.computeIfAbsent(
                key,
                k ->
                        StsAssumeRoleCredentialsProvider.builder()
                                .stsClient(sts())
                                .asyncCredentialUpdateEnabled(false)
                                .refreshRequest(
                                        r -> {
                                            r.roleArn(role.roleArn())
                                                    .roleSessionName(SESSION_NAME)
                                                    .durationSeconds(900);
                                            if (role.externalId() != null) {
                                                r.externalId(role.externalId());
                                            }
                                        })
                                .build());
    }

    /** Applies the credentials of the target account's remediation role to a request builder. */
    <B extends AwsRequest.Builder> B as(B builder, String account) {
        return as(builder, config.roleFor(account));
    }

    /**
     * Applies the credentials of the target account's revoke-sessions role: the only role that may
     * write inline policies (revoke-sessions, and the undo of inline policies).
     */
    <B extends AwsRequest.Builder> B asInlinePolicyWriter(B builder, String account) {
        return as(builder, config.revokeSessionsRoleFor(account));
    }

    private <B extends AwsRequest.Builder> B as(B builder, AccountRole role) {
        AwsCredentialsProvider p = credentials(role);
        if (p != null) {
            builder.overrideConfiguration(
                    AwsRequestOverrideConfiguration.builder().credentialsProvider(p).build());
        }
        return builder;
    }

    @Override
    public void close() {
        ecr.values().forEach(EcrClient::close);
        secrets.values().forEach(SecretsManagerClient::close);
        roles.values().forEach(StsAssumeRoleCredentialsProvider::close);
        if (iam != null) {
            iam.close();
        }
        if (sts != null) {
            sts.close();
        }
    }
}
