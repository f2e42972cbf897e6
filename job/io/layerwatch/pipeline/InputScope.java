package io.layerwatch.pipeline;

import io.layerwatch.event.EcrEvent;
import java.io.Serializable;
import java.time.Instant;
import java.util.Set;

/**
 * What a replay keeps: events in [from, to) of the given accounts and regions (empty: all), judged
 * after decoding by their own time, recipient account and region (files before they are opened: the
 * replay's TrailPath).
 *
 * @param from null: no lower bound
 * @param to null: no upper bound (exclusive)
 */
public record InputScope(Instant from, Instant to, Set<String> accounts, Set<String> regions)
        implements Serializable {

    public static final InputScope ALL = new InputScope(null, null, Set.of(), Set.of());

    public InputScope {
        accounts = Set.copyOf(accounts);
        regions = Set.copyOf(regions);
    }

    public static InputScope between(Instant from, Instant to) {
        return new InputScope(from, to, Set.of(), Set.of());
    }

    /** True for a null account, and for any when no accounts are given. */
    public boolean keepsAccount(String account) {
        return account == null || accounts.isEmpty() || accounts.contains(account);
    }

    /** True for a null region, and for any when no regions are given. */
    public boolean keepsRegion(String region) {
        return region == null || regions.isEmpty() || regions.contains(region);
    }

    /** The event is in the time range and, when accounts / regions are given, of one of them. */
    public boolean keeps(EcrEvent e) {
        return (from == null || e.eventTime() >= from.toEpochMilli())
                && (to == null || e.eventTime() < to.toEpochMilli())
                && (accounts.isEmpty()
                        || (e.accountId() != null && accounts.contains(e.accountId())))
                && (regions.isEmpty() || (e.region() != null && regions.contains(e.region())));
    }
}
