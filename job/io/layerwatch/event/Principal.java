package io.layerwatch.event;

/**
 * The normalised caller of an API. {@code arn} is the stable key: assumed-role sessions are keyed
 * by their role ARN, so every session of a role shares state; the session name and access key stay
 * as attributes.
 */
public record Principal(
        String arn,
        String type,
        String name,
        String accountId,
        String accessKeyId,
        String sessionName,
        String sessionArn) {

    public static final String TYPE_AWS_SERVICE = "AWSService";
    public static final String TYPE_ASSUMED_ROLE = "AssumedRole";
    public static final String TYPE_IAM_USER = "IAMUser";
    public static final String TYPE_ROOT = "Root";
    public static final String TYPE_AWS_ACCOUNT = "AWSAccount";
    public static final String TYPE_UNKNOWN = "Unknown";

    public static final Principal NONE =
            new Principal("unknown", TYPE_UNKNOWN, "unknown", null, null, null, null);

    public boolean isAwsService() {
        return TYPE_AWS_SERVICE.equals(type);
    }
}
