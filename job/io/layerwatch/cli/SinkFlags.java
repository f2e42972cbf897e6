package io.layerwatch.cli;

import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.SinksConfig;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** The shared meaning of {@code --sink NAME} and {@code --sink sns:TOPIC_ARN}. */
final class SinkFlags {
    private SinkFlags() {}

    /**
     * Validates one flag value, adds the sink name to {@code names}, returns the config with its
     * settings.
     */
    static RulesConfig apply(
            CommandSpec spec, RulesConfig config, String flag, List<String> names) {
        String name = flag.contains(":") ? flag.substring(0, flag.indexOf(':')) : flag;
        if (!SinksConfig.SINK_NAMES.contains(name)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--sink "
                            + flag
                            + ": unknown sink (one of "
                            + String.join(", ", SinksConfig.SINK_NAMES)
                            + ", sns:TOPIC_ARN)");
        }
        if (!names.contains(name)) {
            names.add(name);
        }
        if ("sns".equals(name) && flag.contains(":")) {
            return config.withSinks(
                    config.sinks()
                            .with(
                                    config.sinks()
                                            .sink("sns")
                                            .withOption("topicArn", flag.substring(4))));
        }
        return config;
    }
}
