package io.layerwatch.util;

/**
 * The ARN partition of a region: aws-cn for cn-*, aws-us-gov for us-gov-*, else (also for null)
 * aws.
 */
public final class AwsPartition {
    private AwsPartition() {}

    public static String of(String region) {
        if (region == null) {
            return "aws";
        }
        return region.startsWith("cn-")
                ? "aws-cn"
                : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
    }
}
