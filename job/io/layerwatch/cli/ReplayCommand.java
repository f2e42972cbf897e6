package io.layerwatch.cli;

import io.layerwatch.config.RulesConfig;
import io.layerwatch.pipeline.InputFiles;
import io.layerwatch.pipeline.Replay;
import io.layerwatch.report.BacktestReport;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Replay CloudTrail files through the rules on a local MiniCluster. Writes DIR/findings.jsonl, "
                + "DIR/dead-letter.jsonl and DIR/summary.json; exit 0 when the run completed, whatever it found.")
final class ReplayCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    RulesOption rules;

    @Option(names = "--from", paramLabel = "TIME", converter = TimeConverter.class,
            description = "Only events at or after TIME (2023-07-10T12:00:00Z or 2023-07-10).")
    Instant from;

    @Option(names = "--to", paramLabel = "TIME", converter = TimeConverter.class,
            description = "Only events before TIME.")
    Instant to;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Output directory.")
    Path out;

    @Option(names = "--parallelism", paramLabel = "N", defaultValue = "1",
            description = "Flink parallelism (default ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--sink", paramLabel = "SINK",
            description = "Also deliver to this sink (repeatable): jsonl, ocsf, securityhub, webhook, sns or "
                    + "sns:TOPIC_ARN. Settings come from the sinks: section of the rules file. findings.jsonl is always written.")
    List<String> sinks = new java.util.ArrayList<>();

    @Option(names = "--dry-run", description = "Print what the remote sinks would send instead of sending it.")
    boolean dryRun;

    @Option(names = "--report", description = "Also write DIR/report.html, a self-contained backtest report.")
    boolean report;

    @Parameters(paramLabel = "PATH", arity = "1..*",
            description = "Files, directories (recursive, CloudTrail S3 layout) or - for standard input. "
                    + "Any mix of CloudTrail log files (.json/.json.gz), JSON lines, EventBridge events.")
    List<String> paths;

    @Override
    public Integer call() throws Exception {
        RulesConfig config = rules.load();
        if (from != null && to != null && !from.isBefore(to)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--from must be before --to");
        }
        List<String> names = new java.util.ArrayList<>();
        for (String sink : sinks) {
            config = SinkFlags.apply(spec, config, sink, names);
        }
        List<Path> files = InputFiles.expand(paths, from, to, System.in);
        Replay.Summary summary = Replay.run(files, config, from, to, out, parallelism,
                new java.util.LinkedHashSet<>(names), dryRun);
        SummaryTable.print(spec.commandLine().getOut(), summary, out, files.size());
        if (report) {
            spec.commandLine().getOut().println("report: " + BacktestReport.write(out, config, from, to));
        }
        return 0;
    }

    /** ISO-8601 instants, or dates meaning midnight UTC. */
    static final class TimeConverter implements CommandLine.ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            try {
                return value.length() == 10 ? LocalDate.parse(value).atStartOfDay().toInstant(ZoneOffset.UTC)
                        : Instant.parse(value);
            } catch (DateTimeParseException e) {
                throw new CommandLine.TypeConversionException(
                        "'" + value + "' is not a time like 2023-07-10T12:00:00Z or 2023-07-10");
            }
        }
    }
}
