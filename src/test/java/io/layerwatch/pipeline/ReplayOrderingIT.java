package io.layerwatch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.finding.Finding;
import io.layerwatch.replay.InputFile;
import io.layerwatch.replay.InputFiles;
import io.layerwatch.replay.Replay;
import io.layerwatch.replay.ReplayProgress;
import io.layerwatch.replay.S3Inputs;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.testing.TrailFiles;
import io.layerwatch.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays of a CloudTrail layout whose records are out of order inside and across files: the file
 * order plus the lateness bound put them back in event time for CEP, also with parallel decoders.
 */
class ReplayOrderingIT {
    static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");
    static final String ACCOUNT = CloudTrailRecords.ACCOUNT;
    static final String REGION = CloudTrailRecords.REGION;
    static final Duration FILE_PERIOD = Duration.ofMinutes(5);

    @TempDir Path dir;

    record Rec(Instant time, String json) {}

    static RulesConfig rules() {
        return RulesConfigLoader.fromYaml(
                "rules:\n  layer-download-burst: {minDistinctLayers: 20, window: 10m}\n",
                "burst.yaml");
    }

    static Rec download(Instant time, String session, String digest, int n) {
        return new Rec(
                time,
                CloudTrailRecords.record("GetDownloadUrlForLayer")
                        .assumedRole(ACCOUNT, "builder", session)
                        .time(time)
                        .eventId("evt-" + n)
                        .requestParameters(
                                CloudTrailRecords.object(
                                        "repositoryName",
                                        "app",
                                        "registryId",
                                        ACCOUNT,
                                        "layerDigest",
                                        digest))
                        .json());
    }

    /** Two burst episodes of one session, a quiet session, and non-ECR noise, over an hour. */
    static List<Rec> trail() {
        List<Rec> records = new ArrayList<>();
        int n = 0;
        for (int i = 0; i < 45; i++) { // 45 distinct layers in 4.5 minutes
            records.add(download(T0.plusSeconds(i * 6L), "s1", "sha256:a" + i, n++));
        }
        for (int i = 0; i < 20; i++) { // 20 more after a quiet gap
            records.add(
                    download(
                            T0.plus(Duration.ofMinutes(40)).plusSeconds(i * 6L),
                            "s1",
                            "sha256:b" + i,
                            n++));
        }
        for (int i = 0; i < 10; i++) {
            records.add(download(T0.plus(Duration.ofMinutes(5L * i)), "s2", "sha256:c" + i, n++));
        }
        for (int i = 0; i < 60; i++) {
            Instant t = T0.plusSeconds(i * 60L);
            records.add(
                    new Rec(
                            t,
                            CloudTrailRecords.record("GetObject")
                                    .eventSource("s3.amazonaws.com")
                                    .time(t)
                                    .eventId("evt-" + n++)
                                    .json()));
        }
        return records;
    }

    /**
     * Writes the records as CloudTrail would deliver them late and out of order: each into a file
     * delivered 0 to 15 minutes after it happened, two files per delivery time, each file shuffled.
     */
    static void writeShuffled(Path root, List<Rec> records, long seed) throws Exception {
        Random random = new Random(seed);
        Map<Instant, List<List<String>>> files = new TreeMap<>();
        for (Rec r : records) {
            long period = FILE_PERIOD.toMillis();
            Instant next =
                    Instant.ofEpochMilli(
                            (r.time().toEpochMilli() / period + 1) * period); // after r
            Instant delivered = next.plus(FILE_PERIOD.multipliedBy(random.nextInt(3)));
            files.computeIfAbsent(delivered, d -> List.of(new ArrayList<>(), new ArrayList<>()))
                    .get(random.nextInt(2))
                    .add(r.json());
        }
        for (Map.Entry<Instant, List<List<String>>> f : files.entrySet()) {
            for (int part = 0; part < 2; part++) {
                List<String> contents = f.getValue().get(part);
                Collections.shuffle(contents, random);
                TrailFiles.write(
                        root, TrailFiles.key(ACCOUNT, REGION, f.getKey(), "part" + part), contents);
            }
        }
    }

    record Run(
            Replay.Summary summary,
            Map<String, Finding> findings,
            List<InputFile> files,
            Path out) {
        List<Finding> of(String ruleId) {
            return findings.values().stream()
                    .filter(f -> f.ruleId().equals(ruleId))
                    .sorted(Comparator.comparing(Finding::firstEventTime))
                    .toList();
        }
    }

    Run replay(Path input, int parallelism, Consumer<ReplayProgress.Snapshot> progress)
            throws Exception {
        List<InputFile> files =
                InputFiles.expand(
                        List.of(input.toString()), InputScope.ALL, null, new S3Inputs(null));
        Path out = Files.createTempDirectory(dir, "out");
        Replay.Summary summary =
                Replay.run(
                        files,
                        rules(),
                        InputScope.ALL,
                        out,
                        parallelism,
                        Set.of(),
                        false,
                        new S3Inputs(null),
                        progress);
        Map<String, Finding> findings = new TreeMap<>();
        for (String line : Files.readAllLines(out.resolve(Replay.FINDINGS))) {
            Finding f = Json.read(line, Finding.class);
            assertThat(findings.put(f.id(), f)).as("one line per finding id").isNull();
        }
        return new Run(summary, findings, files, out);
    }

    Run sortedReference(List<Rec> records) throws Exception {
        Path sorted = dir.resolve("sorted.jsonl");
        Files.write(
                sorted,
                records.stream().sorted(Comparator.comparing(Rec::time)).map(Rec::json).toList());
        return replay(sorted, 1, null);
    }

    @Test
    void shuffledFilesFireTheBurstsAsTheSortedTrailAtParallelismOneAndTwoWithNothingLate()
            throws Exception {
        List<Rec> records = trail();
        Run sorted = sortedReference(records);
        assertThat(sorted.of(RuleCatalog.LAYER_DOWNLOAD_BURST))
                .extracting(Finding::eventCount)
                .containsExactly(40L, 20L);

        Path layout = dir.resolve("trail");
        writeShuffled(layout, records, 7);
        Run one = replay(layout, 1, null);
        Run two = replay(layout, 2, null);

        assertThat(one.files()).hasSizeGreaterThan(20);
        for (Run shuffled : List.of(one, two)) {
            assertThat(shuffled.summary().late()).isZero();
            assertThat(shuffled.summary().eventsRead()).isEqualTo(records.size());
            assertThat(shuffled.findings().keySet()).isEqualTo(sorted.findings().keySet());
            assertThat(shuffled.of(RuleCatalog.LAYER_DOWNLOAD_BURST))
                    .usingRecursiveFieldByFieldElementComparator()
                    .containsExactlyElementsOf(sorted.of(RuleCatalog.LAYER_DOWNLOAD_BURST));
        }
    }

    @Test
    void recordsDeliveredLaterThanTheBoundAreCountedLateWhateverTheParallelism() throws Exception {
        List<Rec> records = trail();
        Path layout = dir.resolve("trail");
        writeShuffled(layout, records, 11);
        // One more file, delivered at T0+90m: a download from T0+60m (30 minutes late, beyond the
        // 15 minute bound) and one from T0+80m (within it). The newest ECR event before it is from
        // T0+45m, so only the file's delivery stamp tells that the first one is late.
        Rec beyond = download(T0.plus(Duration.ofMinutes(60)), "s3", "sha256:late", 1000);
        Rec within = download(T0.plus(Duration.ofMinutes(80)), "s3", "sha256:fine", 1001);
        TrailFiles.write(
                layout,
                TrailFiles.key(ACCOUNT, REGION, T0.plus(Duration.ofMinutes(90)), "x"),
                List.of(beyond.json(), within.json()));

        Run one = replay(layout, 1, null);
        Run two = replay(layout, 2, null);

        for (Run run : List.of(one, two)) {
            assertThat(run.summary().late()).isEqualTo(1);
            // late events are still judged by the single-event rules
            assertThat(run.of(RuleCatalog.LAYER_DOWNLOAD))
                    .extracting(f -> f.details().get("layerDigest"))
                    .contains("sha256:late", "sha256:fine");
            assertThat(run.of(RuleCatalog.LAYER_DOWNLOAD_BURST)).hasSize(2);
        }
        assertThat(two.findings().keySet()).isEqualTo(one.findings().keySet());
    }

    /**
     * The attack: one record claiming a time a year ahead of its file must not make every later
     * event late.
     */
    @Test
    void aRecordFarAheadOfItsFileIsADeadLetterThatMakesNothingLate() throws Exception {
        List<Rec> records = trail();
        Run sorted = sortedReference(records);
        Path layout = dir.resolve("trail");
        writeShuffled(layout, records, 7);
        Instant yearAhead = T0.plus(Duration.ofDays(365));
        TrailFiles.write(
                layout,
                TrailFiles.key(ACCOUNT, REGION, T0.plus(FILE_PERIOD), "future"),
                List.of(download(yearAhead, "s9", "sha256:future", 2000).json()));

        for (int parallelism : new int[] {1, 2}) {
            Run run = replay(layout, parallelism, null);
            assertThat(run.summary().late()).isZero();
            assertThat(run.findings().keySet()).isEqualTo(sorted.findings().keySet());
            assertThat(run.summary().deadLettered()).isEqualTo(1);
            assertThat(Files.readString(run.out().resolve(Replay.DEAD_LETTERS)))
                    .contains(
                            "implausible eventTime "
                                    + yearAhead
                                    + ": more than 1h after its delivery at "
                                    + T0.plus(FILE_PERIOD));
        }
    }

    @Test
    void progressCountsEveryFileRecordAndFindingOfTheRun() throws Exception {
        Path layout = dir.resolve("trail");
        List<Rec> records = trail();
        writeShuffled(layout, records, 3);
        Files.writeString(layout.resolve("broken.json"), "{not json");
        List<ReplayProgress.Snapshot> seen = Collections.synchronizedList(new ArrayList<>());

        Run run = replay(layout, 2, seen::add);

        ReplayProgress.Snapshot last = seen.get(seen.size() - 1);
        assertThat(last.filesTotal()).isEqualTo(run.files().size());
        assertThat(last.filesDone()).isEqualTo(run.files().size());
        assertThat(last.bytesDone())
                .isEqualTo(last.bytesTotal())
                .isEqualTo(run.files().stream().mapToLong(InputFile::size).sum());
        assertThat(last.records()).isEqualTo(run.summary().eventsRead()).isEqualTo(records.size());
        assertThat(last.findings()).isEqualTo(run.findings().size());
        assertThat(seen).extracting(ReplayProgress.Snapshot::filesDone).isSorted();
        assertThat(ReplayProgress.of(null)).isNull();
        assertThat(run.summary().deadLettered()).isEqualTo(1);
        assertThat(
                        seen.stream()
                                .map(ReplayProgress.Snapshot::elapsedMillis)
                                .collect(Collectors.toList()))
                .isSorted();
    }
}
