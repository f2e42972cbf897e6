package io.layerwatch.pipeline;

import io.layerwatch.event.EcrEvent;
import java.io.Serializable;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Set;

/**
 * What a replay keeps: events in [from, to) of the given accounts and regions (empty: all). Files are
 * judged before they are opened, by what their location says ({@link TrailPath}); events after
 * decoding, by their own time, recipient account and region.
 *
 * @param from null: no lower bound
 * @param to null: no upper bound (exclusive)
 */
public record InputScope(Instant from, Instant to, Set<String> accounts, Set<String> regions) implements Serializable {

    public static final InputScope ALL = new InputScope(null, null, Set.of(), Set.of());
    /** CloudTrail delivers within minutes; a file may hold records up to this long before its stamp. */
    static final long DELIVERY_SLACK_MILLIS = 3_600_000L;

    public InputScope {
        accounts = Set.copyOf(accounts);
        regions = Set.copyOf(regions);
    }

    public static InputScope between(Instant from, Instant to) {
        return new InputScope(from, to, Set.of(), Set.of());
    }

    private boolean keepsAccount(String account) {
        return account == null || accounts.isEmpty() || accounts.contains(account);
    }

    private boolean keepsRegion(String region) {
        return region == null || regions.isEmpty() || regions.contains(region);
    }

    /** False for a digest or Insights folder or file, or one of another account or region. */
    boolean keepsFolder(TrailPath p) {
        return p.eventLog() && keepsAccount(p.account()) && keepsRegion(p.region());
    }

    /**
     * False when the location alone rules the file out: a digest or Insights file, another account or
     * region, delivered before {@code from} or more than the delivery slack after {@code to}.
     */
    boolean keeps(TrailPath p) {
        if (!keepsFolder(p)) {
            return false;
        }
        long delivered = p.deliveredAt();
        if (delivered == Long.MIN_VALUE) {
            return true;
        }
        return (from == null || delivered >= from.toEpochMilli())
                && (to == null || delivered - DELIVERY_SLACK_MILLIS <= to.toEpochMilli());
    }

    /** Day folders of the layout that can hold files in range (null: unbounded). */
    LocalDate firstDay() {
        return from == null ? null : LocalDate.ofInstant(from, ZoneOffset.UTC);
    }

    LocalDate lastDay() {
        return to == null ? null : LocalDate.ofInstant(to.plusMillis(DELIVERY_SLACK_MILLIS), ZoneOffset.UTC);
    }

    /** The event is in the time range and, when accounts / regions are given, of one of them. */
    boolean keeps(EcrEvent e) {
        return (from == null || e.eventTime() >= from.toEpochMilli())
                && (to == null || e.eventTime() < to.toEpochMilli())
                && (accounts.isEmpty() || e.accountId() != null && accounts.contains(e.accountId()))
                && (regions.isEmpty() || e.region() != null && regions.contains(e.region()));
    }
}
