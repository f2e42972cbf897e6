package io.layerwatch.cli;

import io.layerwatch.bench.MemoryBench;
import io.layerwatch.bench.ScalingBench;
import io.layerwatch.bench.ThroughputBench;
import io.layerwatch.generate.GeneratorOptions;
import io.layerwatch.util.Json;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Throughput on generated CloudTrail, in one run on the same bytes: Jackson's tree parse of "
                    + "every record (the ceiling) and the replay pipeline on a local MiniCluster, for an ECR-only trail "
                    + "and the realistic mix (5%% ECR), with their ratio (targets: 0.5 and 1.5).",
            "--memory instead replays a large trail with many principals and reports the peak heap and the state "
                    + "size (run it as java -Xmx1g -jar layerwatch.jar bench --memory).",
            "--scaling instead replays one generated trail (gzip, 5%% ECR) at parallelism 1 and --parallelism N "
                    + "(default 2) alternately and prints the ratio pN/p1 (target: at least 1.0)."
        })
final class BenchCommand implements Callable<Integer> {
    static final long DEFAULT_EVENTS = 1_000_000;

    @Spec CommandSpec spec;

    @Option(
            names = "--events",
            paramLabel = "N",
            description = "Records per dataset (default 1,000,000; with --memory 10,000,000).")
    Long events;

    @Option(
            names = "--json",
            description = "Progress on standard error; standard output gets one JSON line.")
    boolean json;

    @Option(
            names = "--dataset",
            paramLabel = "NAME",
            split = ",",
            description =
                    "Only these datasets of the throughput run: ecrOnly, mix (default: both).")
    List<String> datasets;

    @Option(
            names = "--memory",
            description = "Peak heap and state size per key instead of throughput.")
    boolean memory;

    @Option(
            names = "--scaling",
            description = "Parallelism N against 1 on the same trail instead: rates and pN/p1.")
    boolean scaling;

    @Option(
            names = "--principals",
            paramLabel = "N",
            description =
                    "With --memory: spread the ECR calls over N principals (default ${DEFAULT-VALUE}).",
            defaultValue = "100000")
    int principals;

    @Option(
            names = "--parallelism",
            paramLabel = "N",
            description =
                    "Flink parallelism, and threads of the raw parse (default 1; with --scaling 2).")
    Integer parallelism;

    @Option(
            names = "--iterations",
            paramLabel = "N",
            defaultValue = "3",
            description =
                    "Measured runs of the raw parse and of the pipeline on each dataset; the medians count "
                            + "(default ${DEFAULT-VALUE}).")
    int iterations;

    @Option(
            names = "--warm-ups",
            paramLabel = "N",
            defaultValue = "5",
            description =
                    "Runs of both on each dataset before the measured ones (default ${DEFAULT-VALUE}).")
    int warmUps;

    @Option(
            names = "--seed",
            paramLabel = "S",
            defaultValue = "42",
            description = "Generator seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--work",
            paramLabel = "DIR",
            description =
                    "Scratch directory for the generated files (default: a new temporary directory).")
    Path work;

    @Override
    public Integer call() throws Exception {
        long n = events != null ? events : memory ? MemoryBench.DEFAULT_EVENTS : DEFAULT_EVENTS;
        if (n < GeneratorOptions.MIN_EVENTS) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--events must be at least "
                            + GeneratorOptions.MIN_EVENTS
                            + " (got "
                            + n
                            + ")");
        }
        int parallelism = this.parallelism != null ? this.parallelism : scaling ? 2 : 1;
        if (parallelism < (scaling ? 2 : 1)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--parallelism must be at least " + (scaling ? "2 with --scaling" : "1"));
        }
        if (scaling && memory) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--scaling and --memory are separate runs");
        }
        if (iterations < 1 || warmUps < 0) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--iterations must be at least 1 and --warm-ups at least 0");
        }
        if (principals < 1) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--principals must be at least 1");
        }
        if (!memory && spec.commandLine().getParseResult().hasMatchedOption("--principals")) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--principals needs --memory");
        }
        Set<ThroughputBench.Dataset> selected = selectedDatasets();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter log = json ? spec.commandLine().getErr() : out;
        Path dir =
                work != null
                        ? Files.createDirectories(work)
                        : Files.createTempDirectory("layerwatch-bench");
        Object report;
        try {
            report =
                    memory
                            ? MemoryBench.run(n, principals, parallelism, seed, dir, log).json()
                            : scaling
                                    ? ScalingBench.run(
                                                    n,
                                                    scalingShare(),
                                                    parallelism,
                                                    warmUps,
                                                    iterations,
                                                    seed,
                                                    dir,
                                                    log)
                                            .json()
                                    : ThroughputBench.run(
                                                    n,
                                                    parallelism,
                                                    warmUps,
                                                    iterations,
                                                    seed,
                                                    selected,
                                                    dir,
                                                    log)
                                            .json();
        } finally {
            if (work == null) {
                Files.deleteIfExists(dir);
            }
        }
        if (json) {
            out.println(Json.write(report));
        }
        out.flush();
        return 0;
    }

    /** The ECR share of the --scaling trail: the mix, or the one dataset named. */
    private double scalingShare() {
        Set<ThroughputBench.Dataset> selected = selectedDatasets();
        if (datasets != null && selected.size() != 1) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--scaling takes one --dataset");
        }
        return datasets == null
                ? ThroughputBench.Dataset.MIX.ecrShare
                : selected.iterator().next().ecrShare;
    }

    private Set<ThroughputBench.Dataset> selectedDatasets() {
        if (datasets == null) {
            return EnumSet.allOf(ThroughputBench.Dataset.class);
        }
        if (memory) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--dataset is for the throughput run, not --memory");
        }
        Set<ThroughputBench.Dataset> selected = EnumSet.noneOf(ThroughputBench.Dataset.class);
        for (String name : datasets) {
            selected.add(
                    ThroughputBench.Dataset.byKey(name)
                            .orElseThrow(
                                    () ->
                                            new CommandLine.ParameterException(
                                                    spec.commandLine(),
                                                    "--dataset: unknown dataset '"
                                                            + name
                                                            + "' (ecrOnly, mix)")));
        }
        return selected;
    }
}
