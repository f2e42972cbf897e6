package io.layerwatch.cli;

import io.layerwatch.config.ConfigException;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar layerwatch.jar [command]}. Without a command it runs the embedded demo: a
 * bundled sample trail through a local MiniCluster, no AWS account needed.
 */
@Command(
        name = "layerwatch",
        mixinStandardHelpOptions = true,
        version = "LayerWatch 0.1.0",
        description =
                "Streaming detection and response for Amazon ECR (Apache Flink).%n"
                        + "Without a command: run the embedded demo trail and write ./layerwatch-out/.",
        subcommands = {
            ReplayCommand.class,
            RunCommand.class,
            GenerateCommand.class,
            ReportCommand.class,
            BenchCommand.class,
            ValidateCommand.class,
            RulesCommand.class,
            DemoCommand.class,
            PoliciesCommand.class,
            RemediateCommand.class,
            CommandLine.HelpCommand.class
        })
public final class LayerWatchCli implements Callable<Integer> {

    @Option(
            names = "--verbose",
            description = "Show stack traces and Flink's log on errors.",
            scope = CommandLine.ScopeType.INHERIT)
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        return new DemoCommand().call();
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI and returns the exit code. */
    public static int execute(String... args) {
        return execute(
                new PrintWriter(System.out, true, Charset.defaultCharset()),
                new PrintWriter(System.err, true, Charset.defaultCharset()),
                args);
    }

    /** Runs the CLI with the given output streams (tests capture them). */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new LayerWatchCli());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler(
                (ex, cmd, parsed) -> {
                    boolean verbose =
                            parsed.matchedOption("--verbose") != null
                                    || parsed.subcommands().stream()
                                            .anyMatch(p -> p.matchedOption("--verbose") != null);
                    PrintWriter errOut = cmd.getErr();
                    if (ex instanceof ConfigException) {
                        errOut.println("error: " + ex.getMessage());
                        return 2;
                    }
                    errOut.println("error: " + oneLine(ex));
                    if (verbose) {
                        ex.printStackTrace(errOut);
                    } else {
                        errOut.println("(run again with --verbose for details)");
                    }
                    return 1;
                });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** The innermost useful message of an exception chain. */
    static String oneLine(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root.getMessage();
        return (msg == null ? root.getClass().getSimpleName() : msg).lines().findFirst().orElse("");
    }
}
