package io.layerwatch.testing;

import io.layerwatch.sinks.aws.AwsClientSettings;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * A real Kinesis emulator (npm kinesis-local, installed by scripts/kinesis-emulator.sh, which Maven
 * runs before the integration tests) on a free loopback port. Plain HTTP endpoint: {@link
 * #endpoint()}.
 */
public final class KinesisEmulator implements AutoCloseable {
    private final Process process;
    private final int port;

    private KinesisEmulator(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Creates a stream and waits until it is ACTIVE (the emulator takes CREATE_STREAM_DURATION).
     */
    public static void createStream(KinesisClient client, String name, int shards)
            throws InterruptedException {
        client.createStream(b -> b.streamName(name).shardCount(shards));
        for (int i = 0;
                client.describeStreamSummary(b -> b.streamName(name))
                                .streamDescriptionSummary()
                                .streamStatus()
                        != StreamStatus.ACTIVE;
                i++) {
            if (i == 200) {
                throw new IllegalStateException("stream " + name + " not ACTIVE after 10 s");
            }
            Thread.sleep(50);
        }
    }

    public static KinesisEmulator start() throws Exception {
        Path pkg = Paths.get(".tools/kinesis-local/node_modules/kinesis-local").toAbsolutePath();
        if (!Files.exists(pkg.resolve("main.js"))) {
            throw new IllegalStateException(
                    "Kinesis emulator missing: run scripts/kinesis-emulator.sh (mvn verify does before the integration tests)");
        }
        int plain = freePort();
        int tls = freePort();
        ProcessBuilder pb =
                new ProcessBuilder("node", pkg.resolve("main.js").toString())
                        .directory(pkg.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(
                                Paths.get("target", "kinesis-emulator-" + plain + ".log")
                                        .toAbsolutePath()
                                        .toFile());
        pb.environment().put("KINESIS_MOCK_PLAIN_PORT", String.valueOf(plain));
        pb.environment().put("KINESIS_MOCK_TLS_PORT", String.valueOf(tls));
        pb.environment().put("KINESIS_MOCK_CERT_PATH", pkg.resolve("server.json").toString());
        pb.environment().put("CREATE_STREAM_DURATION", "10ms");
        pb.environment().put("DELETE_STREAM_DURATION", "10ms");
        pb.environment().put("UPDATE_STREAM_DURATION", "10ms");
        pb.environment().put("SHARD_LIMIT", "50");
        Files.createDirectories(Paths.get("target"));
        KinesisEmulator emulator = new KinesisEmulator(pb.start(), plain);
        emulator.awaitReady(Duration.ofSeconds(30));
        return emulator;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** A client of this emulator in us-east-1 (the caller closes it). */
    public KinesisClient client() {
        return AwsClientSettings.DEFAULTS
                .withRegion("us-east-1")
                .withEndpoint(endpoint())
                .build(KinesisClient.builder());
    }

    private void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "Kinesis emulator exited with " + process.exitValue());
            }
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        close();
        throw new IllegalStateException("Kinesis emulator not ready within " + timeout);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
