package io.layerwatch.cli;

import io.layerwatch.bench.Benchmark;
import io.layerwatch.generate.GeneratorOptions;
import io.layerwatch.util.Json;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure the replay pipeline against a raw Jackson tree-parse of the same generated records, "
                + "for an ECR-only trail and a realistic mix (5% ECR). Prints rates and ratios (targets: pipeline >= "
                + "0.5x raw parse on ECR-only, >= 1.5x on the mix); with --json the last line is one JSON object.")
final class BenchCommand implements Callable<Integer> {
    static final double ECR_ONLY_TARGET = 0.5;
    static final double MIX_TARGET = 1.5;

    @Spec
    CommandSpec spec;

    @Option(names = "--events", paramLabel = "N", defaultValue = "1000000",
            description = "Records per dataset (default ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--json", description = "Print one JSON object as the last line.")
    boolean json;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Generator seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (events < GeneratorOptions.MIN_EVENTS) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--events " + events + ": at least " + GeneratorOptions.MIN_EVENTS);
        }
        PrintWriter out = spec.commandLine().getOut();
        Runtime rt = Runtime.getRuntime();
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cores", rt.availableProcessors());
        machine.put("java", System.getProperty("java.version"));
        machine.put("maxHeapBytes", rt.maxMemory());
        out.printf("LayerWatch bench: %,d records per dataset; %d cores, Java %s, max heap %d MiB; pipeline parallelism 1%n",
                events, rt.availableProcessors(), System.getProperty("java.version"), rt.maxMemory() >> 20);
        out.printf("%-9s %12s %14s %14s %7s %8s %9s %11s%n", "dataset", "records", "raw parse/s", "pipeline/s",
                "ratio", "target", "findings", "peak heap");
        out.flush();
        Path work = Files.createTempDirectory("layerwatch-bench");
        Map<String, Object> result = new LinkedHashMap<>();
        try {
            GeneratorOptions base = GeneratorOptions.of(events, seed).withScenarios(Set.of());
            result.put("ecrOnly", row(out, "ecr-only", Benchmark.measure(base.withEcrShare(1.0), work.resolve("ecr")),
                    ECR_ONLY_TARGET));
            result.put("mix", row(out, "mix", Benchmark.measure(base, work.resolve("mix")), MIX_TARGET));
        } finally {
            delete(work);
        }
        result.put("machine", machine);
        if (json) {
            out.println(Json.write(result));
        }
        return 0;
    }

    private static Map<String, Object> row(PrintWriter out, String name, Benchmark.Rates r, double target) {
        out.printf("%-9s %,12d %,14.0f %,14.0f %6.2fx %7s %,9d %7d MiB%n", name, r.records(), r.rawParsePerSec(),
                r.pipelinePerSec(), r.ratio(), (r.ratio() >= target ? ">=" : "< ") + target + "x", r.findings(),
                r.peakHeapBytes() >> 20);
        out.flush();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rawParsePerSec", Math.round(r.rawParsePerSec()));
        m.put("pipelinePerSec", Math.round(r.pipelinePerSec()));
        m.put("ratio", Math.round(r.ratio() * 1000) / 1000.0);
        m.put("records", r.records());
        m.put("target", target);
        m.put("findings", r.findings());
        m.put("peakHeapBytes", r.peakHeapBytes());
        return m;
    }

    private static void delete(Path dir) throws java.io.IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
