package io.layerwatch.cli;

import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The shared {@code --rules FILE} option. */
final class RulesOption {
    @Option(
            names = "--rules",
            paramLabel = "FILE",
            description =
                    "Rules file overriding the built-in rules/layerwatch-rules.yaml key by key.")
    Path file;

    RulesConfig load() {
        return RulesConfigLoader.load(file);
    }
}
