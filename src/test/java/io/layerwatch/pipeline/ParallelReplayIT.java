package io.layerwatch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.replay.InputFiles;
import io.layerwatch.replay.Replay;
import io.layerwatch.replay.S3Inputs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replay above parallelism 1 on real files: the results do not depend on the decoders prefiltering.
 */
class ParallelReplayIT {

    /**
     * Each decoder reads, inflates and prefilters its files on a thread of its own ({@link
     * DecodeAhead}): the demo trail as files, at parallelism 2, gives the same output files and
     * summary with the prefilter on and off.
     */
    @Test
    void parallelReplayGivesTheSameResultsWithAndWithoutThePrefilter(@TempDir Path dir)
            throws Exception {
        List<Path> files = new ArrayList<>();
        for (Payload p : PrefilterEquivalenceIT.demoTrail()) {
            Path file = dir.resolve("in").resolve(p.source());
            Files.createDirectories(file.getParent());
            files.add(Files.write(file, p.bytes()));
        }

        Replay.Result on =
                PrefilterEquivalenceIT.withPrefilter(true, () -> replay(files, dir.resolve("on")));
        Replay.Result off =
                PrefilterEquivalenceIT.withPrefilter(
                        false, () -> replay(files, dir.resolve("off")));

        assertThat(on.summary()).isEqualTo(off.summary());
        assertThat(on.summary().findings().values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(
                        PipelineIT.STORY_EXPECTED.values().stream()
                                .mapToInt(Integer::intValue)
                                .sum());
        for (String output : List.of(Replay.FINDINGS, Replay.DEAD_LETTERS)) {
            assertThat(sortedLines(dir.resolve("on").resolve(output)))
                    .as(output)
                    .isEqualTo(sortedLines(dir.resolve("off").resolve(output)))
                    .isNotEmpty();
        }
        long prefiltered = on.job().<Long>getAccumulatorResult(Counters.PREFILTERED);
        // all the other services' records but each session key's first sighting (its origin, about
        // 200)
        assertThat(prefiltered).isGreaterThanOrEqualTo(2700L).isLessThan(on.summary().eventsRead());
        assertThat(off.job().<Long>getAccumulatorResult(Counters.PREFILTERED)).isIn(null, 0L);
    }

    private static Replay.Result replay(List<Path> files, Path out) throws Exception {
        try (Replay.Job job =
                Replay.prepare(
                        InputFiles.local(files),
                        PipelineIT.demoRules(),
                        InputScope.ALL,
                        out,
                        2,
                        Set.of(),
                        false,
                        new S3Inputs(null),
                        Replay.localConfiguration())) {
            return job.execute(null);
        }
    }

    private static List<String> sortedLines(Path file) throws IOException {
        return Files.readAllLines(file).stream().sorted().toList();
    }
}
