package io.layerwatch.sinks.remediation;

import io.layerwatch.util.AwsPartition;
import java.io.Serializable;

/**
 * What an action changes: a repository or registry policy, an IAM role or user, or a registry's
 * enrollment in the image assessment service.
 *
 * @param kind what kind of thing it is
 * @param account the account that owns the target (where a cross-account role is assumed)
 * @param region the region of a repository or registry; null for IAM principals
 * @param repository the repository name (kind repository)
 * @param principalArn the role or user ARN (kinds role, user)
 */
public record Target(
        TargetKind kind, String account, String region, String repository, String principalArn)
        implements Serializable {

    public static Target repository(String account, String region, String name) {
        return new Target(TargetKind.REPOSITORY, account, region, name, null);
    }

    public static Target registry(String account, String region) {
        return new Target(TargetKind.REGISTRY, account, region, null, null);
    }

    public static Target principal(TargetKind kind, String account, String arn) {
        return new Target(kind, account, null, null, arn);
    }

    /** The user or role (any ARN but a user's) an audit record names. */
    static Target principal(String account, String arn) {
        return principal(arn.contains(":user/") ? TargetKind.USER : TargetKind.ROLE, account, arn);
    }

    /**
     * The role or user name: the last part of the ARN (IAM names are unique per account, whatever
     * the path).
     */
    public String principalName() {
        return principalArn == null
                ? null
                : principalArn.substring(principalArn.lastIndexOf('/') + 1);
    }

    /** The AWS partition: of the principal ARN, else of the region. */
    public String partition() {
        return principalArn != null && principalArn.startsWith("arn:")
                ? principalArn.split(":", 3)[1]
                : AwsPartition.of(region);
    }

    /** The registry's host name, as docker and the assessment service know it. */
    public String registryHost() {
        return account
                + ".dkr.ecr."
                + region
                + (region != null && region.startsWith("cn-")
                        ? ".amazonaws.com.cn"
                        : ".amazonaws.com");
    }

    /**
     * How audit records name it: an ARN for repositories and principals, the registry host for
     * registries.
     */
    public String describe() {
        return switch (kind) {
            case REPOSITORY ->
                    "arn:"
                            + AwsPartition.of(region)
                            + ":ecr:"
                            + region
                            + ":"
                            + account
                            + ":repository/"
                            + repository;
            case REGISTRY -> registryHost();
            case ROLE, USER -> principalArn;
        };
    }
}
