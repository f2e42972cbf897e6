package io.layerwatch.event;

/** What an {@link EcrEvent} was decoded from. */
public enum EventKind {
    /**
     * A CloudTrail record (raw, in an EventBridge envelope, a log file or a CloudWatch Logs
     * payload).
     */
    API_CALL,
    /**
     * An image scan result: ECR basic scanning ("ECR Image Scan") or Inspector ("Inspector2 Scan").
     */
    IMAGE_SCAN,
    /** ECR's own image push/delete notification ("ECR Image Action"). */
    IMAGE_ACTION,
    /**
     * One finding an analyst selected in a Security Hub custom action ("Security Hub Findings -
     * Custom Action"): not analysed by the rules; the responder runs the action the custom action
     * id maps to. {@code eventName} is the custom action id, {@code raw} the event narrowed to this
     * one finding.
     */
    CUSTOM_ACTION,
    /** Another EventBridge event; decoded, counted, not analysed. */
    OTHER,
    /**
     * A CloudTrail record of another service that is the first sighting, at its time, of its {@code
     * ASIA...} session key: the key's origin, for workload-credentials-outside only (no other rule
     * analyses it). Later records of the key are plain {@link #API_CALL}s (unless earlier), so the
     * prefilter skips them.
     */
    SESSION_ORIGIN
}
