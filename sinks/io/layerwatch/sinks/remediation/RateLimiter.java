package io.layerwatch.sinks.remediation;

import io.layerwatch.config.RemediationConfig.RateLimit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Actions per rolling hour, across all accounts and per account. A limit of 0 lets nothing through
 * (a kill switch). Not thread-safe: the responder decides one action at a time.
 */
public final class RateLimiter {
    static final long HOUR_MS = 3_600_000L;

    private record Entry(long time, String account) {}

    private final RateLimit limit;
    private final Deque<Entry> entries = new ArrayDeque<>();

    public RateLimiter(RateLimit limit) {
        this.limit = limit;
    }

    /** Takes one slot at {@code now} for {@code account}, or returns the limit that was hit (null when allowed). */
    public String tryAcquire(String account, long now) {
        prune(now);
        if (entries.size() >= limit.perHour()) {
            return "global limit of " + limit.perHour() + " actions per hour reached";
        }
        long mine = entries.stream().filter(e -> e.account().equals(String.valueOf(account))).count();
        if (mine >= limit.perAccountPerHour()) {
            return "limit of " + limit.perAccountPerHour() + " actions per hour in account " + account + " reached";
        }
        entries.addLast(new Entry(now, String.valueOf(account)));
        return null;
    }

    /** Counts an action taken earlier (seeding from an audit log or from state). */
    public void record(String account, long time) {
        entries.addLast(new Entry(time, String.valueOf(account)));
    }

    private void prune(long now) {
        entries.removeIf(e -> e.time() <= now - HOUR_MS);
    }

    /** The slots taken within the hour before {@code now}, as "millis account" strings (for Flink state). */
    public List<String> export(long now) {
        prune(now);
        List<String> out = new ArrayList<>();
        entries.forEach(e -> out.add(e.time() + " " + e.account()));
        return out;
    }

    public static RateLimiter restore(RateLimit limit, Iterable<String> exported) {
        RateLimiter r = new RateLimiter(limit);
        if (exported != null) {
            for (String s : exported) {
                int space = s.indexOf(' ');
                r.record(s.substring(space + 1), Long.parseLong(s.substring(0, space)));
            }
        }
        return r;
    }
}
