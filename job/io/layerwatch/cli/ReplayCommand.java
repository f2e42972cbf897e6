package io.layerwatch.cli;

import io.layerwatch.config.RulesConfig;
import io.layerwatch.pipeline.InputScope;
import io.layerwatch.replay.ClusterReplay;
import io.layerwatch.replay.InputFile;
import io.layerwatch.replay.InputFiles;
import io.layerwatch.replay.Replay;
import io.layerwatch.replay.S3Inputs;
import io.layerwatch.report.BacktestReport;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description =
                "Replay CloudTrail files (local or s3://) through the rules on a local MiniCluster, or on a Flink cluster "
                        + "with --cluster. Writes DIR/findings.jsonl, "
                        + "DIR/dead-letter.jsonl and DIR/summary.json; exit 0 when the run completed, whatever it found; 3 when "
                        + "the input held Security Hub custom-action events (dead-lettered: replay runs no responder).")
final class ReplayCommand implements Callable<Integer> {
    /**
     * Exit code when the input held Security Hub custom-action events, which a replay does not run.
     */
    static final int CUSTOM_ACTIONS_NOT_RUN = 3;

    @Spec CommandSpec spec;

    @Mixin RulesOption rules;

    @Option(
            names = "--from",
            paramLabel = "TIME",
            converter = TimeConverter.class,
            description = "Only events at or after TIME (2023-07-10T12:00:00Z or 2023-07-10).")
    Instant from;

    @Option(
            names = "--to",
            paramLabel = "TIME",
            converter = TimeConverter.class,
            description = "Only events before TIME.")
    Instant to;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Output directory.")
    Path out;

    @Option(
            names = "--parallelism",
            paramLabel = "N",
            defaultValue = "1",
            description = "Flink parallelism (default ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(
            names = "--sink",
            paramLabel = "SINK",
            description =
                    "Also deliver to this sink (repeatable): jsonl, ocsf, securityhub, webhook, sns or "
                            + "sns:TOPIC_ARN. Settings come from the sinks: section of the rules file. findings.jsonl is always written.")
    List<String> sinks = new ArrayList<>();

    @Option(
            names = "--dry-run",
            description = "Print what the remote sinks would send instead of sending it.")
    boolean dryRun;

    @Option(
            names = "--report",
            description = "Also write DIR/report.html, a self-contained backtest report.")
    boolean report;

    @Option(
            names = "--account",
            paramLabel = "ID",
            converter = AccountConverter.class,
            description =
                    "Only this account (repeatable): files of other accounts in the CloudTrail layout are "
                            + "skipped unopened, events of other accounts dropped.")
    List<String> accounts = new ArrayList<>();

    @Option(
            names = "--region",
            paramLabel = "R",
            converter = RegionConverter.class,
            description = "Only this region (repeatable), like --account.")
    List<String> regions = new ArrayList<>();

    @Option(
            names = "--endpoint",
            paramLabel = "URL",
            converter = EndpointConverter.class,
            description =
                    "S3 endpoint for s3:// inputs (an S3-compatible store); default: the SDK's "
                            + "(AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS).")
    String endpoint;

    @Option(
            names = "--cluster",
            paramLabel = "HOST:PORT",
            converter = ClusterConverter.class,
            description =
                    "Run the replay on this Flink cluster (its JobManager's REST address) instead of a local "
                            + "MiniCluster: the TaskManagers list and read the inputs (s3://, or paths they all see), --parallelism "
                            + "decoders spread over their slots; findings and dead letters come back to DIR.")
    ClusterReplay.Address cluster;

    @Option(
            names = "--job-jar",
            paramLabel = "FILE",
            description =
                    "With --cluster: the jar the cluster runs the job from (default: layerwatch-msf.jar beside "
                            + "this program's jar, else this program's jar).")
    Path jobJar;

    @Option(
            names = "--quiet",
            description = "No progress bar (there is none when standard error is not a terminal).")
    boolean quiet;

    @Parameters(
            paramLabel = "PATH",
            arity = "1..*",
            description =
                    "Files, directories (recursive, CloudTrail S3 layout), s3://bucket/prefix or - for "
                            + "standard input. Any mix of CloudTrail log files (.json/.json.gz), JSON lines, EventBridge events.")
    List<String> paths;

    @Override
    public Integer call() throws Exception {
        RulesConfig config = rules.load();
        if (from != null && to != null && !from.isBefore(to)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--from must be before --to");
        }
        if (parallelism < 1) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--parallelism must be at least 1");
        }
        List<String> names = new ArrayList<>();
        for (String sink : sinks) {
            config = SinkFlags.apply(spec, config, sink, names);
        }
        InputScope scope = new InputScope(from, to, Set.copyOf(accounts), Set.copyOf(regions));
        S3Inputs s3 = new S3Inputs(endpoint);
        Replay.Result result;
        int fileCount;
        if (cluster != null) {
            result = onCluster(config, scope, s3, names);
            fileCount = (int) Replay.filesListed(result);
        } else {
            if (jobJar != null) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--job-jar needs --cluster");
            }
            List<InputFile> files = InputFiles.expand(paths, scope, System.in, s3);
            try (ProgressBar bar = ProgressBar.open(quiet);
                    Replay.Job job =
                            Replay.prepare(
                                    files,
                                    config,
                                    scope,
                                    out,
                                    parallelism,
                                    new LinkedHashSet<>(names),
                                    dryRun,
                                    s3,
                                    Replay.localConfiguration())) {
                result = job.execute(bar);
            }
            fileCount = files.size();
        }
        SummaryTable.print(spec.commandLine().getOut(), result.summary(), out, fileCount);
        if (report) {
            spec.commandLine()
                    .getOut()
                    .println("report: " + BacktestReport.write(out, config, from, to));
        }
        long notRun = Replay.customActionsNotRun(result);
        if (notRun > 0) {
            spec.commandLine()
                    .getErr()
                    .println(
                            "error: "
                                    + notRun
                                    + " Security Hub custom-action event(s) not run:"
                                    + " replay runs no responder; give them to `layerwatch remediate plan|apply --findings FILE`"
                                    + " (they are in "
                                    + out.resolve(Replay.DEAD_LETTERS)
                                    + ")");
            return CUSTOM_ACTIONS_NOT_RUN;
        }
        return 0;
    }

    /**
     * The replay on a Flink cluster: local paths as absolute paths (the TaskManagers must see them
     * there), standard input and the sinks besides findings.jsonl refused (they would run on the
     * TaskManagers).
     */
    private Replay.Result onCluster(
            RulesConfig config, InputScope scope, S3Inputs s3, List<String> sinkNames)
            throws Exception {
        if (!sinkNames.stream().allMatch("jsonl"::equals) || dryRun) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--cluster writes findings.jsonl only: --sink and --dry-run need a local replay");
        }
        List<String> inputs = new ArrayList<>();
        for (String p : paths) {
            if ("-".equals(p)) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "--cluster cannot read standard input: give s3:// or paths the TaskManagers see");
            }
            inputs.add(S3Inputs.isS3(p) ? p : Paths.get(p).toAbsolutePath().toString());
        }
        Path jar = jobJar != null ? jobJar : defaultJobJar();
        if (!Files.isRegularFile(jar)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--job-jar " + jar + ": no such file");
        }
        PrintWriter err = spec.commandLine().getErr();
        return ClusterReplay.run(
                inputs,
                config,
                scope,
                out,
                parallelism,
                s3,
                cluster,
                jar,
                line -> {
                    err.println(line);
                    err.flush();
                });
    }

    /**
     * layerwatch-msf.jar beside this program's jar (or classes directory), else this program's jar.
     */
    private Path defaultJobJar() throws URISyntaxException {
        Path self =
                Paths.get(
                        ReplayCommand.class
                                .getProtectionDomain()
                                .getCodeSource()
                                .getLocation()
                                .toURI());
        Path msf = self.toAbsolutePath().getParent().resolve("layerwatch-msf.jar");
        if (Files.isRegularFile(msf) || Files.isDirectory(self)) {
            return msf;
        }
        return self;
    }

    static final class ClusterConverter
            implements CommandLine.ITypeConverter<ClusterReplay.Address> {
        @Override
        public ClusterReplay.Address convert(String value) {
            try {
                return ClusterReplay.Address.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** Values matching a pattern, else a conversion error saying what was expected. */
    abstract static class Matching implements CommandLine.ITypeConverter<String> {
        private final String pattern;
        private final String expected;

        Matching(String pattern, String expected) {
            this.pattern = pattern;
            this.expected = expected;
        }

        @Override
        public String convert(String value) {
            if (!value.matches(pattern)) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not " + expected);
            }
            return value;
        }
    }

    static final class AccountConverter extends Matching {
        AccountConverter() {
            super("\\d{12}", "a 12-digit AWS account id");
        }
    }

    static final class RegionConverter extends Matching {
        RegionConverter() {
            super(
                    "[a-z]{2}(-[a-z]+)+-\\d+",
                    "an AWS region like us-east-1"); // us-east-1, us-gov-west-1
        }
    }

    /** An http(s) URL. */
    static final class EndpointConverter implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                URI uri = new URI(value);
                if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                        && uri.getHost() != null) {
                    return value;
                }
            } catch (URISyntaxException e) {
                // falls through to the message below
            }
            throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not an http(s) URL like http://localhost:9000");
        }
    }

    /** ISO-8601 instants, or dates meaning midnight UTC. */
    static final class TimeConverter implements CommandLine.ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            try {
                return value.length() == 10
                        ? LocalDate.parse(value).atStartOfDay().toInstant(ZoneOffset.UTC)
                        : Instant.parse(value);
            } catch (DateTimeParseException e) {
                throw new CommandLine.TypeConversionException(
                        "'" + value + "' is not a time like 2023-07-10T12:00:00Z or 2023-07-10");
            }
        }
    }
}
