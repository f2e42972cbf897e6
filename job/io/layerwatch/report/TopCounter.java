package io.layerwatch.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The most frequent values of an unbounded stream in bounded memory, with exact counts. First pass
 * ({@link #offer}): Misra-Gries keeps at most {@code capacity} candidates; every value seen more
 * than n / (capacity + 1) times survives. Second pass ({@link #tally}): exact counts, highest
 * severity and rules of the candidates only. With fewer distinct values than the capacity nothing
 * is ever dropped and the result is exact.
 */
final class TopCounter {

    /** One value's exact figures from the second pass. */
    static final class Entry {
        final String key;
        long count;
        int maxSeverity = -1;
        final TreeSet<String> rules = new TreeSet<>();

        Entry(String key) {
            this.key = key;
        }
    }

    private final int capacity;
    private final Map<String, long[]> candidates = new HashMap<>();
    private Map<String, Entry> tallies;
    private long offered;
    private boolean pruned;

    TopCounter(int capacity) {
        this.capacity = capacity;
    }

    /** First pass: one occurrence of {@code key} (null and empty are ignored). */
    void offer(String key) {
        if (key == null || key.isEmpty()) {
            return;
        }
        offered++;
        long[] c = candidates.get(key);
        if (c != null) {
            c[0]++;
        } else if (candidates.size() < capacity) {
            candidates.put(key, new long[] {1});
        } else {
            // Misra-Gries: the new value and every candidate lose one; total work stays linear.
            pruned = true;
            for (Iterator<long[]> it = candidates.values().iterator(); it.hasNext(); ) {
                if (--it.next()[0] == 0) {
                    it.remove();
                }
            }
        }
    }

    /**
     * Second pass: one occurrence of {@code key} with the finding's severity rank and rule (both
     * optional).
     */
    void tally(String key, int severityRank, String ruleId) {
        if (tallies == null) {
            tallies = new HashMap<>();
            candidates.keySet().forEach(k -> tallies.put(k, new Entry(k)));
            candidates.clear();
        }
        Entry e = key == null ? null : tallies.get(key);
        if (e != null) {
            e.count++;
            e.maxSeverity = Math.max(e.maxSeverity, severityRank);
            if (ruleId != null) {
                e.rules.add(ruleId);
            }
        }
    }

    /** The {@code n} most frequent values, by count, then value. */
    List<Entry> top(int n) {
        List<Entry> all = new ArrayList<>(tallies == null ? List.of() : tallies.values());
        all.sort(Comparator.comparingLong((Entry e) -> -e.count).thenComparing(e -> e.key));
        return all.subList(0, Math.min(n, all.size()));
    }

    /** Values seen at most this often may be missing from {@link #top} (0: the list is exact). */
    long missableBelow() {
        return pruned ? offered / (capacity + 1) : 0;
    }
}
