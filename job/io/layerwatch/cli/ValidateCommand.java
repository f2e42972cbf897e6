package io.layerwatch.cli;

import io.layerwatch.config.RulesConfigLoader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "validate",
        mixinStandardHelpOptions = true,
        description = "Check a rules file: exit 0 and one OK line, or non-zero and the errors.")
final class ValidateCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
            names = "--rules",
            paramLabel = "FILE",
            required = true,
            description = "The rules file to check.")
    Path file;

    @Override
    public Integer call() {
        RulesConfigLoader.load(file);
        spec.commandLine().getOut().println("OK: " + file + " is valid");
        return 0;
    }
}
