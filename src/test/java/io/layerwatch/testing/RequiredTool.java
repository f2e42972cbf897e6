package io.layerwatch.testing;

import static org.assertj.core.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * Integration tests that need a program from outside Maven (Chromium, cfn-lint). `.ci/run` installs
 * them and runs with CI=true: there a missing one fails the test. Elsewhere (CI unset or false) the
 * test is skipped, saying why.
 */
public final class RequiredTool {

    private RequiredTool() {}

    /** True when CI is set to anything but "false" (CI services set CI=true; so does .ci/run). */
    public static boolean inCi() {
        String ci = System.getenv("CI");
        return ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false");
    }

    /**
     * Returns when the tool is there; otherwise fails in CI and skips elsewhere, with {@code
     * missing} as the reason.
     */
    public static void require(boolean present, String missing) {
        if (present) {
            return;
        }
        if (inCi()) {
            fail(missing + " (CI is set, so a missing tool fails the test)");
        }
        Assumptions.abort(missing + " (skipped: CI is not set)");
    }
}
