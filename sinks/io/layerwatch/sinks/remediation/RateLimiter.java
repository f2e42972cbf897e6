package io.layerwatch.sinks.remediation;

import io.layerwatch.config.RemediationConfig.RateLimit;
import io.layerwatch.config.Severity;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Actions per rolling hour, across all accounts and per account, in separate budgets (one per
 * severity, one per rule with its own limits: {@link RateLimit#budget}), so a flood of cheap
 * findings never uses up what CRITICAL ones need. A top-level {@code perHour} of 0 lets nothing
 * through (a kill switch); a budget's limit of 0 stops that budget. Not thread-safe: the responder
 * decides one action at a time.
 */
public final class RateLimiter {
    static final long HOUR_MS = 3_600_000L;

    /**
     * @param budget null for slots restored from state written before budgets existed: they count
     *     in every budget
     */
    private record Entry(long time, String account, String budget) {
        boolean in(String b) {
            return budget == null || budget.equals(b);
        }
    }

    private final RateLimit limit;
    private final Deque<Entry> entries = new ArrayDeque<>();

    public RateLimiter(RateLimit limit) {
        this.limit = limit;
    }

    /**
     * Takes one slot at {@code now} for {@code account} in the budget of the rule and severity, or
     * returns the limit that was hit (null when allowed).
     */
    public String tryAcquire(String account, String ruleId, Severity severity, long now) {
        prune(now);
        if (limit.perHour() == 0) {
            return "global limit of 0 actions per hour reached";
        }
        String budget = limit.budget(ruleId, severity);
        RateLimit own = limit.of(budget);
        String acct = String.valueOf(account);
        if (entries.stream().filter(e -> e.in(budget)).count() >= own.perHour()) {
            return "global limit of "
                    + own.perHour()
                    + " actions per hour reached (budget "
                    + budget
                    + ")";
        }
        if (entries.stream().filter(e -> e.in(budget) && e.account().equals(acct)).count()
                >= own.perAccountPerHour()) {
            return "limit of "
                    + own.perAccountPerHour()
                    + " actions per hour in account "
                    + account
                    + " reached (budget "
                    + budget
                    + ")";
        }
        entries.addLast(new Entry(now, acct, budget));
        return null;
    }

    /**
     * Counts an action taken earlier (seeding from an audit log or from state); a null budget
     * counts in all.
     */
    public void record(String account, String budget, long time) {
        entries.addLast(new Entry(time, String.valueOf(account), budget));
    }

    private void prune(long now) {
        entries.removeIf(e -> e.time() <= now - HOUR_MS);
    }

    /**
     * The slots taken within the hour before {@code now}, as "millis account budget" strings (for
     * Flink state).
     */
    public List<String> export(long now) {
        prune(now);
        List<String> out = new ArrayList<>();
        entries.forEach(
                e ->
                        out.add(
                                e.time()
                                        + " "
                                        + e.account()
                                        + (e.budget() == null ? "" : " " + e.budget())));
        return out;
    }

    /**
     * Restores {@link #export}ed slots; "millis account" (state from before budgets) counts in
     * every budget.
     */
    public static RateLimiter restore(RateLimit limit, Iterable<String> exported) {
        RateLimiter r = new RateLimiter(limit);
        if (exported != null) {
            for (String s : exported) {
                String[] p = s.split(" ", 3);
                r.record(p[1], p.length > 2 ? p[2] : null, Long.parseLong(p[0]));
            }
        }
        return r;
    }
}
