package io.layerwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.pipeline.ReplayProgress.Snapshot;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

    @Test
    void showsDoneFilesRecordsRateFindingsAndEta() {
        // 1/4 of the bytes in 20 s: 60 s to go
        Snapshot s = new Snapshot(120, 287, 25_000_000, 100_000_000, 1_234_567, 12, 20_000);
        assertThat(ProgressBar.render(s, 100)).isEqualTo("[" + "#".repeat(7) + ".".repeat(23) + "] "
                + " 25%  120/287 files  1.2M records  61.7k/s  12 findings  ETA 1m00s");
    }

    @Test
    void fitsTheWidthDroppingTheBarFirst() {
        Snapshot s = new Snapshot(120, 287, 25_000_000, 100_000_000, 1_234_567, 12, 20_000);
        String stats = " 25%  120/287 files  1.2M records  61.7k/s  12 findings  ETA 1m00s";
        assertThat(ProgressBar.render(s, 79)).isEqualTo("[##" + ".".repeat(8) + "] " + stats).hasSize(79);
        assertThat(ProgressBar.render(s, stats.length())).isEqualTo(stats);
        assertThat(ProgressBar.render(s, 20)).isEqualTo(stats.substring(0, 20));
        assertThat(ProgressBar.render(s, 200)).hasSize(30 + 3 + stats.length()); // the bar has 30 at most
    }

    @Test
    void measuresInFilesWithoutSizesAndHasNoEtaBeforeAnythingIsDone() {
        assertThat(ProgressBar.render(new Snapshot(1, 2, 0, 0, 10, 0, 2_000), 100))
                .contains(" 50%  1/2 files  10 records  5/s  0 findings  ETA 2s");
        assertThat(ProgressBar.render(new Snapshot(0, 2, 0, 1000, 0, 0, 0), 100))
                .contains("  0%  0/2 files  0 records  0/s  0 findings  ETA --");
        assertThat(ProgressBar.render(new Snapshot(0, 0, 0, 0, 0, 0, 10), 100)).contains("ETA --");
        assertThat(ProgressBar.render(new Snapshot(2, 2, 10, 10, 5, 1, 10), 100)).contains("100%").contains("ETA 0s");
    }

    @Test
    void compactNumbersAndDurations() {
        assertThat(ProgressBar.compact(999)).isEqualTo("999");
        assertThat(ProgressBar.compact(1_000)).isEqualTo("1.0k");
        assertThat(ProgressBar.compact(999_960)).isEqualTo("1.0M");
        assertThat(ProgressBar.compact(12_345_678_901L)).isEqualTo("12.3G");
        assertThat(ProgressBar.duration(44_600)).isEqualTo("45s");
        assertThat(ProgressBar.duration(185_000)).isEqualTo("3m05s");
        assertThat(ProgressBar.duration(7_620_000)).isEqualTo("2h07m");
    }
}
