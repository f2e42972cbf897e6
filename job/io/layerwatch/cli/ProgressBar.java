package io.layerwatch.cli;

import io.layerwatch.replay.ReplayProgress;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The replay's progress line, redrawn in place on standard error while the job runs; silent when
 * standard error is not a terminal or with --quiet. {@link #render} is the whole display logic.
 */
final class ProgressBar implements Consumer<ReplayProgress.Snapshot>, AutoCloseable {
    static final int DEFAULT_WIDTH = 80;
    private static final int MAX_BAR = 30;
    private static final int MIN_BAR = 5;

    private final PrintStream out;
    private final int width;
    private boolean drawn;

    private ProgressBar(PrintStream out, int width) {
        this.out = out;
        this.width = width;
    }

    /** On the terminal (stderr), unless {@code quiet} or there is no terminal. */
    @SuppressWarnings("SystemConsoleNull") // Java 17: null means no terminal
    static ProgressBar open(boolean quiet) {
        return quiet || System.console() == null
                ? new ProgressBar(null, 0)
                : new ProgressBar(System.err, columns());
    }

    @Override
    public void accept(ReplayProgress.Snapshot s) {
        if (out != null) {
            out.print(
                    "\r"
                            + render(s, width)
                            + "\u001B[K"); // back to the line start, draw, clear the rest
            out.flush();
            drawn = true;
        }
    }

    /** Leaves the last state on screen and moves to the next line. */
    @Override
    public void close() {
        if (drawn) {
            out.println();
            out.flush();
        }
    }

    /**
     * {@code [#####.....] 42% 120/287 files 1.2M records 85.3k/s 12 findings ETA 1m05s}, at most
     * {@code width} characters. The fields have fixed widths, so the line keeps its length while it
     * is redrawn; the bar takes what is left (up to {@value #MAX_BAR}) and goes first when space is
     * short. Done is measured in bytes when the file sizes are known, else in files; the ETA
     * assumes the rate so far.
     */
    static String render(ReplayProgress.Snapshot s, int width) {
        double done =
                s.bytesTotal() > 0
                        ? (double) s.bytesDone() / s.bytesTotal()
                        : s.filesTotal() > 0 ? (double) s.filesDone() / s.filesTotal() : 0;
        done = Math.max(0, Math.min(1, done));
        long elapsed = Math.max(1, s.elapsedMillis());
        String eta = done <= 0 ? "--" : duration((long) (elapsed * (1 - done) / done));
        int digits = Long.toString(s.filesTotal()).length();
        String stats =
                String.format(
                        Locale.ROOT,
                        "%3d%% %" + digits + "d/%d files %6s records %6s/s %6s findings ETA %-5s",
                        (int) Math.floor(done * 100),
                        s.filesDone(),
                        s.filesTotal(),
                        compact(s.records()),
                        compact(s.records() * 1000 / elapsed),
                        compact(s.findings()),
                        eta);
        int bar = Math.min(MAX_BAR, width - stats.length() - 3);
        if (bar < MIN_BAR) {
            return stats.length() <= width ? stats : stats.substring(0, Math.max(0, width));
        }
        int filled = (int) Math.floor(done * bar);
        return "[" + "#".repeat(filled) + ".".repeat(bar - filled) + "] " + stats;
    }

    /** 999, 1.2k, 3.4M, 5.6G. */
    static String compact(long n) {
        if (n < 1_000) {
            return Long.toString(n);
        }
        String[] units = {"k", "M", "G", "T"};
        double v = n;
        int unit = -1;
        while (v >= 999.95 && unit < units.length - 1) { // 999.95k would print as 1000.0k
            v /= 1_000;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f%s", v, units[unit]);
    }

    /** 45s, 3m05s, 2h07m, 31h: at most five characters below 100000 hours. */
    static String duration(long millis) {
        long seconds = Math.round(millis / 1000.0);
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
        }
        return seconds < 36_000
                ? String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60)
                : seconds / 3600 + "h";
    }

    /**
     * The terminal's width: $COLUMNS, else what stty says, else {@value #DEFAULT_WIDTH}; one column
     * spare.
     */
    private static int columns() {
        String columns = System.getenv("COLUMNS");
        try {
            if (columns == null) {
                Process stty =
                        new ProcessBuilder("stty", "size")
                                .redirectInput(new File("/dev/tty"))
                                .redirectError(ProcessBuilder.Redirect.DISCARD)
                                .start();
                String size =
                        new String(stty.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                columns = stty.waitFor() == 0 ? size.trim().split("\\s+", -1)[1] : null;
            }
            int width = Integer.parseInt(columns);
            return width > 1
                    ? width - 1
                    : DEFAULT_WIDTH - 1; // a full line would wrap on some terminals
        } catch (IOException | RuntimeException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return DEFAULT_WIDTH - 1;
        }
    }
}
