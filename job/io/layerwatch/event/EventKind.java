package io.layerwatch.event;

/** What an {@link EcrEvent} was decoded from. */
public enum EventKind {
    /** A CloudTrail record (raw, in an EventBridge envelope, a log file or a CloudWatch Logs payload). */
    API_CALL,
    /** An image scan result: ECR basic scanning ("ECR Image Scan") or Inspector ("Inspector2 Scan"). */
    IMAGE_SCAN,
    /** ECR's own image push/delete notification ("ECR Image Action"). */
    IMAGE_ACTION,
    /** Another EventBridge event; decoded, counted, not analysed. */
    OTHER
}
