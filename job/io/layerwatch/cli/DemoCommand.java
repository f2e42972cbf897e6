package io.layerwatch.cli;

import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.replay.Replay;
import io.layerwatch.report.BacktestReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description =
                "Replay the bundled sample trail (real benign CloudTrail plus a scripted attack story) "
                        + "with the demo rules; no AWS account or network needed.")
final class DemoCommand implements Callable<Integer> {
    static final String INDEX = "demo/index.txt";
    static final String RULES = "demo/demo-rules.yaml";

    @Spec CommandSpec spec;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            defaultValue = "layerwatch-out",
            description = "Output directory (default ${DEFAULT-VALUE}).")
    Path out = Paths.get("layerwatch-out");

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("layerwatch-demo");
        List<Path> files = extract(work);
        RulesConfig config =
                RulesConfigLoader.fromYaml(resource(RULES), "demo rules (" + RULES + ")");
        Replay.Summary summary = Replay.run(files, config, null, null, out, 1);
        PrintWriter w =
                spec == null
                        ? new PrintWriter(System.out, true, Charset.defaultCharset())
                        : spec.commandLine().getOut();
        w.println("LayerWatch demo: the bundled sample trail, rules " + config.source());
        SummaryTable.print(w, summary, out, files.size());
        w.println("report: " + BacktestReport.write(out, config, null, null));
        return 0;
    }

    static List<Path> extract(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        for (String name : resource(INDEX).split("\n", -1)) {
            name = name.trim();
            if (name.isEmpty() || name.startsWith("#")) {
                continue;
            }
            Path target = dir.resolve(Paths.get(name).getFileName().toString());
            try (InputStream in = open("demo/" + name)) {
                Files.copy(in, target);
            }
            files.add(target);
        }
        return files;
    }

    static String resource(String name) throws IOException {
        try (InputStream in = open(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static InputStream open(String name) throws IOException {
        InputStream in = DemoCommand.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IOException("bundled resource " + name + " is missing from the jar");
        }
        return in;
    }
}
