package io.layerwatch.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.layerwatch.config.RuleCatalog;
import io.layerwatch.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What ships, as `mvn package` builds it (failsafe runs after package): the CLI/demo jar run the
 * way the README says, and the jar Managed Service for Apache Flink runs.
 */
class ShippedJarsIT {

    static final Path CLI_JAR = Path.of("target", "layerwatch.jar");
    static final Path MSF_JAR = Path.of("target", "layerwatch-msf.jar");

    /**
     * Packages of what MSF (and a Flink cluster's lib/) provides: flink-core, flink-runtime,
     * flink-streaming-java, flink-clients, flink-runtime-web, the RocksDB state backend, Flink's
     * shaded libraries, Kryo, logging and the MSF runtime. A second copy in the user jar shadows
     * the cluster's own classes.
     */
    static final List<String> PROVIDED =
            List.of(
                    "org/apache/flink/api/common/",
                    "org/apache/flink/configuration/",
                    "org/apache/flink/runtime/",
                    "org/apache/flink/streaming/api/environment/",
                    "org/apache/flink/streaming/runtime/",
                    "org/apache/flink/client/",
                    "org/apache/flink/contrib/streaming/state/",
                    "org/rocksdb/",
                    "librocksdbjni",
                    "org/apache/flink/shaded/",
                    "com/esotericsoftware/",
                    "org/apache/logging/log4j/",
                    "org/slf4j/",
                    "com/amazonaws/services/kinesisanalytics/runtime/");

    /**
     * What the cluster does not provide and the job needs: our code and rules, CEP, the connectors,
     * the AWS SDK.
     */
    static final List<String> BUNDLED =
            List.of(
                    "io/layerwatch/streaming/StreamingJob.class",
                    "rules/layerwatch-rules.yaml",
                    "org/apache/flink/cep/CEP.class",
                    "org/apache/flink/connector/base/source/reader/SourceReaderBase.class",
                    "org/apache/flink/connector/kinesis/source/KinesisStreamsSource.class",
                    "org/apache/flink/streaming/connectors/kinesis/FlinkKinesisConsumer.class",
                    "software/amazon/awssdk/services/securityhub/SecurityHubClient.class",
                    "software/amazon/awssdk/services/sns/SnsClient.class");

    @Test
    void theDemoJarFiresEveryRuleAsTheReadmeSays(@TempDir Path dir) throws Exception {
        Manifest manifest = manifest(CLI_JAR);
        Attributes main = manifest.getMainAttributes();
        assertThat(main.getValue("Main-Class")).isEqualTo("io.layerwatch.cli.LayerWatchCli");
        // java -jar with no --add-opens: the manifest opens what Flink's Kryo and closure cleaner
        // reflect on.
        assertThat(main.getValue("Add-Opens").split(" "))
                .contains(
                        "java.base/java.lang",
                        "java.base/java.util",
                        "java.base/java.nio",
                        "java.base/sun.nio.ch");
        assertThat(main.getValue("Multi-Release")).isEqualTo("true");

        // The README's first command, from an empty directory: it writes ./layerwatch-out/.
        Path stdout = dir.resolve("stdout.txt");
        Path stderr = dir.resolve("stderr.txt");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p =
                new ProcessBuilder(java.toString(), "-jar", CLI_JAR.toAbsolutePath().toString())
                        .directory(dir.toFile())
                        .redirectOutput(stdout.toFile())
                        .redirectError(stderr.toFile())
                        .start();
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail("java -jar " + CLI_JAR + " did not finish in 600 s:\n" + Files.readString(stderr));
        }
        String err = Files.readString(stderr);
        assertThat(p.exitValue()).as(err).isZero();
        assertThat(err).doesNotContain("\tat ").doesNotContain("Exception");

        Path out = dir.resolve("layerwatch-out");
        Set<String> fired = new TreeSet<>();
        for (String line : Files.readAllLines(out.resolve("findings.jsonl"))) {
            fired.add(Json.tree(line).path("ruleId").asText());
        }
        assertThat(fired).containsExactlyInAnyOrderElementsOf(RuleCatalog.ids());
        assertThat(Files.readString(stdout)).contains("report: layerwatch-out/report.html");
        assertThat(out.resolve("report.html")).isNotEmptyFile();
        List<String> counted = new ArrayList<>();
        Json.tree(Files.readString(out.resolve("summary.json")))
                .path("findings")
                .fieldNames()
                .forEachRemaining(counted::add);
        assertThat(counted).containsExactlyInAnyOrderElementsOf(fired);
    }

    /**
     * MSF, like Flink's own jar runner, starts the class the manifest names (the program-class
     * attribute first, then Main-Class); the application configuration has no entry-class setting
     * for Java applications.
     */
    @Test
    void theMsfJarStartsTheStreamingJobWithoutABundledFlinkRuntime() throws Exception {
        Attributes main = manifest(MSF_JAR).getMainAttributes();
        assertThat(main.getValue("Main-Class")).isEqualTo("io.layerwatch.streaming.StreamingJob");
        assertThat(main.getValue("program-class"))
                .as("program-class overrides Main-Class")
                .isNull();

        List<String> entries = new ArrayList<>();
        try (JarFile jar = new JarFile(MSF_JAR.toFile())) {
            jar.stream().forEach(e -> entries.add(e.getName()));
        }
        List<String> provided =
                entries.stream()
                        .filter(e -> e.endsWith(".class") || e.endsWith(".so"))
                        .filter(e -> PROVIDED.stream().anyMatch(e::startsWith))
                        .toList();
        assertThat(provided).as("classes the cluster provides, bundled in %s", MSF_JAR).isEmpty();
        assertThat(entries).containsAll(BUNDLED);
        assertThat(entries)
                .as("the job's log configuration is the service's")
                .doesNotContain("log4j2.properties");
    }

    static Manifest manifest(Path jar) throws IOException {
        if (!Files.isRegularFile(jar)) {
            fail(
                    jar
                            + " is missing: `mvn verify` packages it before the integration tests (a test-only goal does not)");
        }
        try (JarFile f = new JarFile(jar.toFile())) {
            assertThat(f.getManifest()).as("%s manifest", jar).isNotNull();
            return f.getManifest();
        }
    }
}
