package io.layerwatch.report;

import static io.layerwatch.report.Html.esc;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Findings per rule over time (by first event time, UTC) as a stacked bar chart in inline SVG. The
 * bucket is the smallest of 1m ... 365d that shows the whole span in at most {@link #MAX_BUCKETS}
 * bars.
 */
final class Timeline {
    static final int MAX_BUCKETS = 60;

    private static final Duration[] SIZES = {
        Duration.ofMinutes(1),
        Duration.ofMinutes(5),
        Duration.ofMinutes(15),
        Duration.ofMinutes(30),
        Duration.ofHours(1),
        Duration.ofHours(2),
        Duration.ofHours(3),
        Duration.ofHours(6),
        Duration.ofHours(12),
        Duration.ofDays(1),
        Duration.ofDays(2),
        Duration.ofDays(7),
        Duration.ofDays(14),
        Duration.ofDays(30),
        Duration.ofDays(90),
        Duration.ofDays(365)
    };

    private static final int WIDTH = 1120;
    private static final int LEFT = 56;
    private static final int RIGHT = 12;
    private static final int TOP = 14;
    private static final int PLOT_HEIGHT = 220;
    private static final int AXIS = 34;
    private static final int LEGEND_COLUMNS = 4;
    private static final int LEGEND_ROW = 22;

    private final long startMs;
    private final long bucketMs;
    private final int buckets;

    /** Rule id -> findings per bucket, in the order rules are stacked. */
    private final Map<String, long[]> counts = new LinkedHashMap<>();

    /** A timeline for first event times in [first, last]; add findings with {@link #add}. */
    Timeline(Instant first, Instant last, Iterable<String> ruleOrder) {
        Duration bucket = bucketFor(Duration.between(first, last));
        bucketMs = bucket.toMillis();
        startMs = Math.floorDiv(first.toEpochMilli(), bucketMs) * bucketMs;
        buckets =
                (int)
                                ((Math.floorDiv(last.toEpochMilli(), bucketMs) * bucketMs - startMs)
                                        / bucketMs)
                        + 1;
        for (String rule : ruleOrder) {
            counts.put(rule, new long[buckets]);
        }
    }

    /** The smallest bucket size that shows {@code span} in at most {@link #MAX_BUCKETS} bars. */
    static Duration bucketFor(Duration span) {
        for (Duration d : SIZES) {
            if (span.toMillis() / d.toMillis() + 2 <= MAX_BUCKETS) {
                return d;
            }
        }
        Duration year = SIZES[SIZES.length - 1];
        return year.multipliedBy(span.toMillis() / year.toMillis() / (MAX_BUCKETS - 2) + 1);
    }

    Duration bucket() {
        return Duration.ofMillis(bucketMs);
    }

    int buckets() {
        return buckets;
    }

    long count(String rule, int bucket) {
        long[] c = counts.get(rule);
        return c == null ? 0 : c[bucket];
    }

    void add(String rule, Instant first) {
        if (first == null) {
            return;
        }
        int b = (int) Math.floorDiv(first.toEpochMilli() - startMs, bucketMs);
        if (b >= 0 && b < buckets) {
            counts.computeIfAbsent(rule, r -> new long[buckets])[b]++;
        }
    }

    /**
     * The chart: stacked bars, y axis with ticks, time labels, a legend of the rules with findings.
     */
    String svg(Map<String, Long> totals) {
        List<String> shown = new ArrayList<>();
        long max = 0;
        long[] stack = new long[buckets];
        for (Map.Entry<String, long[]> e : counts.entrySet()) {
            long sum = 0;
            for (int b = 0; b < buckets; b++) {
                stack[b] += e.getValue()[b];
                sum += e.getValue()[b];
            }
            if (sum > 0) {
                shown.add(e.getKey());
            }
        }
        for (long s : stack) {
            max = Math.max(max, s);
        }
        long step = niceStep(Math.max(1, max));
        long top = Math.max(step, (max + step - 1) / step * step);
        int legendRows = (shown.size() + LEGEND_COLUMNS - 1) / LEGEND_COLUMNS;
        int height = TOP + PLOT_HEIGHT + AXIS + legendRows * LEGEND_ROW + 8;
        double plotWidth = WIDTH - LEFT - RIGHT;
        double barWidth = plotWidth / buckets;
        double bottom = TOP + PLOT_HEIGHT;

        StringBuilder svg = new StringBuilder();
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
                                + "role=\"img\" aria-labelledby=\"timeline-title\">",
                        WIDTH,
                        height,
                        WIDTH,
                        height));
        svg.append("<title id=\"timeline-title\">Findings per rule, per ")
                .append(esc(label(bucket())))
                .append(" (UTC)</title>");
        for (long v = 0; v <= top; v += step) {
            double y = bottom - PLOT_HEIGHT * (double) v / top;
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>",
                            LEFT,
                            y,
                            WIDTH - RIGHT,
                            y));
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
                            LEFT - 6,
                            y + 4,
                            Html.num(v)));
        }
        long[] base = new long[buckets];
        for (String rule : shown) {
            long[] c = counts.get(rule);
            for (int b = 0; b < buckets; b++) {
                if (c[b] == 0) {
                    continue;
                }
                double y0 = bottom - PLOT_HEIGHT * (double) base[b] / top;
                double y1 = bottom - PLOT_HEIGHT * (double) (base[b] + c[b]) / top;
                base[b] += c[b];
                svg.append(
                        String.format(
                                Locale.ROOT,
                                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">",
                                LEFT + b * barWidth + barWidth * 0.1,
                                y1,
                                Math.max(1, barWidth * 0.8),
                                Math.max(0.5, y0 - y1),
                                RuleColors.of(rule)));
                svg.append("<title>")
                        .append(esc(rule))
                        .append(": ")
                        .append(Html.num(c[b]))
                        .append(" from ")
                        .append(esc(time(b)))
                        .append("</title></rect>");
            }
        }
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<line class=\"axis\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>",
                        LEFT,
                        bottom,
                        WIDTH - RIGHT,
                        bottom));
        int every = (buckets + 7) / 8;
        for (int b = 0; b < buckets; b += every) {
            double x = LEFT + b * barWidth + barWidth / 2;
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
                            x,
                            bottom,
                            x,
                            bottom + 4));
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>",
                            x,
                            bottom + 18,
                            esc(time(b))));
        }
        double colWidth = plotWidth / LEGEND_COLUMNS;
        for (int i = 0; i < shown.size(); i++) {
            String rule = shown.get(i);
            double x = LEFT + (i % LEGEND_COLUMNS) * colWidth;
            double y = bottom + AXIS + (i / LEGEND_COLUMNS) * LEGEND_ROW;
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" rx=\"2\" fill=\"%s\"/>",
                            x,
                            y,
                            RuleColors.of(rule)));
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<text class=\"legend\" x=\"%.1f\" y=\"%.1f\">%s (%s)</text>",
                            x + 18,
                            y + 10.5,
                            esc(Html.cut(rule, 40)),
                            Html.num(totals.getOrDefault(rule, 0L))));
        }
        return svg.append("</svg>").toString();
    }

    /** Start of bucket {@code b}: a date for day-sized buckets, else month-day and time. */
    String time(int b) {
        Instant t = Instant.ofEpochMilli(startMs + b * bucketMs);
        String pattern = bucketMs % 86_400_000L == 0 ? "yyyy-MM-dd" : "MM-dd HH:mm";
        return DateTimeFormatter.ofPattern(pattern, Locale.ROOT).withZone(ZoneOffset.UTC).format(t);
    }

    /** "5 minutes", "1 hour", "7 days". */
    static String label(Duration d) {
        long m = d.toMinutes();
        if (m % 1440 == 0) {
            return plural(m / 1440, "day");
        }
        return m % 60 == 0 ? plural(m / 60, "hour") : plural(m, "minute");
    }

    private static String plural(long n, String unit) {
        return n == 1 ? "1 " + unit : n + " " + unit + "s";
    }

    /** 1, 2 or 5 times a power of ten, so that about four steps reach {@code max}. */
    static long niceStep(long max) {
        long raw = Math.max(1, (max + 3) / 4);
        long pow = 1;
        while (pow * 10 <= raw) {
            pow *= 10;
        }
        for (long m : new long[] {1, 2, 5, 10}) {
            if (m * pow >= raw) {
                return m * pow;
            }
        }
        return 10 * pow;
    }
}
