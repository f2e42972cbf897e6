package io.layerwatch.cli;

import io.layerwatch.report.BacktestReport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        description =
                "Write DIR/report.html, a self-contained backtest report, from the output of an earlier "
                        + "replay (DIR/findings.jsonl, dead-letter.jsonl, summary.json); pass the --rules it ran with.")
final class ReportCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin RulesOption rules;

    @Parameters(paramLabel = "DIR", description = "The replay's output directory.")
    Path dir;

    @Override
    public Integer call() throws Exception {
        spec.commandLine()
                .getOut()
                .println("report: " + BacktestReport.write(dir, rules.load(), null, null));
        return 0;
    }
}
