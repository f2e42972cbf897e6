package io.layerwatch.sinks.remediation;

/**
 * Why an action cannot apply to a finding: the request is planned with this problem and nothing is
 * done.
 */
final class NotApplicable extends Exception {
    private static final long serialVersionUID = 1L;

    NotApplicable(String message) {
        super(message, null, false, false);
    }
}
