package io.layerwatch.cli;

import io.layerwatch.generate.Generator;
import io.layerwatch.generate.GeneratorOptions;
import io.layerwatch.generate.Scenario;
import io.layerwatch.streaming.StreamingOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description =
                "Write synthetic CloudTrail (S3 layout, gzip) with labelled attack scenarios: DIR/AWSLogs/..., "
                        + "DIR/ecr-scan-events/..., DIR/labels.jsonl and DIR/rules.yaml (the organization's trust settings). "
                        + "Replay it with: replay --rules DIR/rules.yaml --out OUT DIR")
final class GenerateCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            required = true,
            description = "Output directory (empty or new).")
    Path out;

    @Option(
            names = "--events",
            paramLabel = "N",
            required = true,
            description =
                    "About how many records in all (at least " + GeneratorOptions.MIN_EVENTS + ").")
    long events;

    @Option(
            names = "--seed",
            paramLabel = "S",
            required = true,
            description = "The same seed gives the same bytes.")
    long seed;

    @Option(
            names = "--scenarios",
            paramLabel = "all|LIST",
            defaultValue = "all",
            description =
                    "all (default), none, or a comma-separated list of scenario names or rule ids.")
    String scenarios;

    @Option(
            names = "--start",
            paramLabel = "TIME",
            converter = ReplayCommand.TimeConverter.class,
            description = "Time of the first record (default 2026-03-02T00:00:00Z).")
    Instant start;

    @Option(
            names = "--span",
            paramLabel = "DURATION",
            defaultValue = "1d",
            description = "Time the trail covers, 6h to 60d (default ${DEFAULT-VALUE}).")
    String span;

    @Option(
            names = "--ecr-share",
            paramLabel = "X",
            defaultValue = "0.05",
            description =
                    "Fraction of the benign records that are ECR (default ${DEFAULT-VALUE}; 1 for ECR only).")
    double ecrShare;

    @Option(
            names = "--injections",
            paramLabel = "N",
            description =
                    "Injections of each scenario (default: one per million records, 1 to 20).")
    Integer injections;

    @Override
    public Integer call() throws Exception {
        Set<Scenario> chosen;
        try {
            chosen = Scenario.parse(scenarios);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--scenarios: " + e.getMessage());
        }
        GeneratorOptions options;
        try {
            options =
                    GeneratorOptions.of(events, seed)
                            .withScenarios(chosen)
                            .withSpan(StreamingOptions.interval(span, "--span"))
                            .withEcrShare(ecrShare);
            if (start != null) {
                options = options.withStart(start);
            }
            if (injections != null) {
                options = options.withInjections(injections);
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        long began = System.nanoTime();
        Generator.Report report;
        try {
            report = Generator.write(out, options);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        double seconds = (System.nanoTime() - began) / 1e9;
        PrintWriter w = spec.commandLine().getOut();
        w.printf(
                "Generated %,d records (%,d ECR, %,d scan events) in %,d files, %,d bytes, under %s in %.1f s%n",
                report.records(),
                report.ecrRecords(),
                report.scanEvents(),
                report.files(),
                report.bytes(),
                out,
                seconds);
        w.printf("  %s to %s, seed %d%n", options.start(), options.end(), options.seed());
        w.printf(
                "  %d scenario injections in %s; trust settings in %s%n",
                report.labels().size(),
                out.resolve(Generator.LABELS),
                out.resolve(Generator.RULES));
        w.printf(
                "Replay: layerwatch replay --rules %s --out OUT %s%n",
                out.resolve(Generator.RULES), out);
        return 0;
    }
}
