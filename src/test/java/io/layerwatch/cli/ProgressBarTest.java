package io.layerwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.replay.ReplayProgress.Snapshot;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
    /** 120 of 287 files, a quarter of the bytes, 1,234,567 records and 12 findings in 20 s. */
    static final Snapshot QUARTER =
            new Snapshot(120, 287, 25_000_000, 100_000_000, 1_234_567, 12, 20_000);

    static final String QUARTER_STATS =
            " 25% 120/287 files   1.2M records  61.7k/s     12 findings ETA 1m00s";

    @Test
    void showsDoneFilesRecordsRateFindingsAndEta() {
        assertThat(ProgressBar.render(QUARTER, 120))
                .isEqualTo("[#######.......................] " + QUARTER_STATS);
    }

    @Test
    void keepsItsLengthWithinTheWidth() {
        Snapshot start = new Snapshot(3, 287, 1_000, 100_000_000, 42, 0, 900);
        assertThat(ProgressBar.render(start, 79))
                .hasSize(79)
                .isEqualTo(
                        "[........]   0%   3/287 files     42 records     46/s      0 findings ETA 24h  ");
        assertThat(ProgressBar.render(QUARTER, 79))
                .hasSize(79)
                .isEqualTo("[##......] " + QUARTER_STATS);
        assertThat(ProgressBar.render(QUARTER, 72)).isEqualTo(QUARTER_STATS); // no room for a bar
        assertThat(ProgressBar.render(QUARTER, 20)).isEqualTo(QUARTER_STATS.substring(0, 20));
    }

    @Test
    void measuresInFilesWithoutSizes() {
        assertThat(ProgressBar.render(new Snapshot(1, 2, 0, 0, 10, 0, 2_000), 200))
                .endsWith(" 50% 1/2 files     10 records      5/s      0 findings ETA 2s   ");
    }

    @Test
    void hasNoEtaBeforeAnythingIsDone() {
        assertThat(ProgressBar.render(new Snapshot(0, 2, 0, 1000, 0, 0, 0), 200))
                .endsWith("  0% 0/2 files      0 records      0/s      0 findings ETA --   ");
        assertThat(ProgressBar.render(new Snapshot(0, 0, 0, 0, 0, 0, 10), 200))
                .endsWith("ETA --   ");
    }

    @Test
    void showsAFullBarOnceEverythingIsDone() {
        assertThat(ProgressBar.render(new Snapshot(2, 2, 10, 10, 5, 1_500, 10), 200))
                .startsWith("[" + "#".repeat(30) + "] 100%")
                .contains("1.5k findings")
                .endsWith("ETA 0s   ");
    }

    @Test
    void countsAreCompactWithAUnitPrefix() {
        assertThat(ProgressBar.compact(999)).isEqualTo("999");
        assertThat(ProgressBar.compact(1_000)).isEqualTo("1.0k");
        assertThat(ProgressBar.compact(999_960)).isEqualTo("1.0M");
        assertThat(ProgressBar.compact(12_345_678_901L)).isEqualTo("12.3G");
    }

    @Test
    void durationsShowTheirTwoLargestUnits() {
        assertThat(ProgressBar.duration(44_600)).isEqualTo("45s");
        assertThat(ProgressBar.duration(185_000)).isEqualTo("3m05s");
        assertThat(ProgressBar.duration(7_620_000)).isEqualTo("2h07m");
        assertThat(ProgressBar.duration(112_000_000)).isEqualTo("31h");
    }
}
