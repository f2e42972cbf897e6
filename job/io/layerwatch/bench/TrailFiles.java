package io.layerwatch.bench;

import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.generate.Generator;
import io.layerwatch.generate.GeneratorOptions;
import io.layerwatch.generate.LogFile;
import io.layerwatch.generate.Trail;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/** A generated trail written for a benchmark run: the generator's files, as replay reads them. */
record TrailFiles(List<Path> files, long records, long bytes, String rulesYaml) {

    /**
     * Writes the trail of {@code options} under {@code dir} in the generator's layout.
     *
     * @param gzip write {@code .json.gz} / {@code .jsonl.gz} as the generator does, else the
     *     uncompressed content
     * @param rewrite applied to every record first (null: none)
     */
    static TrailFiles write(
            GeneratorOptions options, Path dir, boolean gzip, UnaryOperator<byte[]> rewrite)
            throws IOException {
        Trail trail = Generator.open(options);
        List<Path> files = new ArrayList<>();
        long records = 0;
        long bytes = 0;
        while (trail.hasNext()) {
            LogFile f = trail.next();
            if (rewrite != null) {
                List<byte[]> rewritten = new ArrayList<>(f.records().size());
                f.records().forEach(r -> rewritten.add(rewrite.apply(r)));
                f =
                        new LogFile(
                                f.kind(),
                                f.account(),
                                f.region(),
                                f.delivered(),
                                f.unique(),
                                rewritten);
            }
            byte[] content = gzip ? f.gzip() : f.content();
            Path target =
                    dir.resolve(
                            gzip
                                    ? f.path()
                                    : f.path().substring(0, f.path().length() - ".gz".length()));
            Files.createDirectories(target.getParent());
            Files.write(target, content);
            files.add(target);
            records += f.records().size();
            bytes += content.length;
        }
        return new TrailFiles(files, records, bytes, trail.rulesYaml());
    }

    RulesConfig rules() {
        return RulesConfigLoader.fromYaml(rulesYaml, "the generated trail's rules.yaml");
    }

    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
