package io.layerwatch.sinks.remediation;

/**
 * A final failure of an action (the API refused it for good, the target is not as expected): not
 * retried, dead-lettered at once. The delivery layer's classifier treats it as rejected.
 */
public final class ActionRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ActionRejectedException(String message) {
        super(message);
    }
}
