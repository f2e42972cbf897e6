package io.layerwatch.sinks.delivery;

import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Bounded attempts with exponential backoff and jitter: the n-th retry waits a random time between
 * half and all of min(maxDelay, baseDelay * 2^(n-1)), so synchronised clients spread out.
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay)
        implements Serializable {

    public static final RetryPolicy DEFAULTS =
            new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(20));

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
    }

    /** The wait before retry number {@code retry} (1 = the first retry). */
    public Duration backoff(int retry) {
        long cap = maxDelay.toMillis();
        long exp = baseDelay.toMillis() << Math.min(30, Math.max(0, retry - 1));
        long ceiling = Math.min(cap, exp < 0 ? cap : exp);
        long half = ceiling / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(ceiling - half + 1));
    }
}
