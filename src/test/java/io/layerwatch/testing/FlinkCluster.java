package io.layerwatch.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.util.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The standalone session cluster of scripts/flink-cluster.sh (a JobManager and TaskManagers, each
 * its own JVM) and the parts of Flink's REST API the tests use.
 */
public final class FlinkCluster implements AutoCloseable {
    private final Path dir;
    private final Map<String, String> env;
    private final String rest;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private FlinkCluster(Path dir, Map<String, String> env, String rest) {
        this.dir = dir;
        this.env = env;
        this.rest = rest;
    }

    /**
     * Starts the cluster in {@code dir}; {@code env} reaches the Flink JVMs (AWS credentials,
     * endpoints).
     */
    public static FlinkCluster start(Path dir, Map<String, String> env) throws Exception {
        String out = script(dir, env, "start");
        String url =
                out.lines()
                        .filter(l -> l.startsWith("REST_URL="))
                        .map(l -> l.substring(9))
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        new IllegalStateException(
                                                "flink-cluster.sh start printed no REST_URL: "
                                                        + out));
        return new FlinkCluster(dir, env, url);
    }

    private static String script(Path dir, Map<String, String> env, String command)
            throws Exception {
        ProcessBuilder pb =
                new ProcessBuilder(
                                "bash",
                                Paths.get("scripts/flink-cluster.sh").toAbsolutePath().toString(),
                                command)
                        .redirectErrorStream(true);
        pb.environment().putAll(env);
        pb.environment().put("FLINK_CLUSTER_DIR", dir.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("flink-cluster.sh " + command + " failed: " + out);
        }
        return out;
    }

    /** The JobManager's REST address as HOST:PORT (what `layerwatch replay --cluster` takes). */
    public String restAddress() {
        return URI.create(rest).getAuthority();
    }

    /** Starts one more TaskManager and waits for its registration. */
    public void addTaskManager() throws Exception {
        script(dir, env, "add-taskmanager");
    }

    /**
     * The file the job's runtime properties are read from (MSF:
     * /etc/flink/application_properties.json).
     */
    public Path applicationProperties() {
        return dir.resolve("application_properties.json");
    }

    public Path log(String process) {
        return dir.resolve("log").resolve(process + ".log");
    }

    /** The pid of a cluster process: jobmanager, taskmanager-1, ... */
    public long pid(String process) throws IOException {
        return Long.parseLong(Files.readString(dir.resolve(process + ".pid")).trim());
    }

    public List<String> taskManagers() throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.matches("taskmanager-\\d+\\.pid"))
                    .map(n -> n.substring(0, n.length() - 4))
                    .sorted()
                    .toList();
        }
    }

    // ---- REST ----

    public JsonNode get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(rest + path)).GET());
    }

    public JsonNode post(String path, Object body) throws Exception {
        return send(
                HttpRequest.newBuilder(URI.create(rest + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))));
    }

    private JsonNode send(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> r =
                http.send(
                        request.timeout(Duration.ofMinutes(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IllegalStateException(
                    r.request().method()
                            + " "
                            + r.request().uri()
                            + ": "
                            + r.statusCode()
                            + " "
                            + r.body());
        }
        return r.body().isEmpty() ? Json.tree("{}") : Json.tree(r.body());
    }

    /** POST /jars/upload: the jar id for /jars/:id/run. */
    public String upload(Path jar) throws Exception {
        String boundary = "----layerwatch" + UUID.randomUUID();
        byte[] head =
                ("--"
                                + boundary
                                + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                                + jar.getFileName()
                                + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        JsonNode r =
                send(
                        HttpRequest.newBuilder(URI.create(rest + "/jars/upload"))
                                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                                .POST(
                                        HttpRequest.BodyPublishers.concat(
                                                HttpRequest.BodyPublishers.ofByteArray(head),
                                                HttpRequest.BodyPublishers.ofFile(jar),
                                                HttpRequest.BodyPublishers.ofByteArray(tail))));
        return Paths.get(r.path("filename").asText()).getFileName().toString();
    }

    /** POST /jars/:id/run at parallelism 2 (the main class runs in the JobManager); the job id. */
    public String run(String jarId, String savepoint) throws Exception {
        Map<String, Object> body =
                savepoint == null
                        ? Map.of("parallelism", 2)
                        : Map.of("parallelism", 2, "savepointPath", savepoint);
        return post("/jars/" + jarId + "/run", body).path("jobid").asText();
    }

    public String state(String job) throws Exception {
        return get("/jobs/" + job).path("state").asText();
    }

    /** Every task of the job RUNNING (not only the job: tasks deploy after it switches). */
    public boolean allTasksRunning(String job) throws Exception {
        JsonNode j = get("/jobs/" + job);
        if (!"RUNNING".equals(j.path("state").asText())) {
            return false;
        }
        for (JsonNode v : j.path("vertices")) {
            if (!"RUNNING".equals(v.path("status").asText())) {
                return false;
            }
        }
        return true;
    }

    public void awaitRunning(String job) throws Exception {
        await("job " + job + " running", Duration.ofMinutes(2), () -> allTasksRunning(job));
    }

    public void awaitState(String job, String state) throws Exception {
        await("job " + job + " " + state, Duration.ofMinutes(2), () -> state.equals(state(job)));
    }

    /** Id of the latest completed checkpoint, -1 before the first. */
    public long latestCheckpoint(String job) throws Exception {
        return get("/jobs/" + job + "/checkpoints")
                .path("latest")
                .path("completed")
                .path("id")
                .asLong(-1);
    }

    /** Number of restarts (recoveries from a checkpoint) of the job so far. */
    public long restarts(String job) throws Exception {
        return get("/jobs/" + job + "/checkpoints").path("counts").path("restored").asLong(0);
    }

    /** Stop-with-savepoint: the savepoint's location, or the failure as the exception message. */
    public String stopWithSavepoint(String job) throws Exception {
        String trigger =
                post("/jobs/" + job + "/stop", Map.of("drain", false)).path("request-id").asText();
        JsonNode[] result = new JsonNode[1];
        await(
                "savepoint of " + job,
                Duration.ofMinutes(2),
                () -> {
                    result[0] = get("/jobs/" + job + "/savepoints/" + trigger);
                    return "COMPLETED".equals(result[0].path("status").path("id").asText());
                });
        JsonNode op = result[0].path("operation");
        if (op.has("failure-cause")) {
            throw new IllegalStateException(
                    "stop-with-savepoint of "
                            + job
                            + " failed: "
                            + op.path("failure-cause")
                                    .path("stack-trace")
                                    .asText()
                                    .lines()
                                    .limit(12)
                                    .toList());
        }
        return op.path("location").asText();
    }

    public void cancel(String job) throws Exception {
        send(
                HttpRequest.newBuilder(URI.create(rest + "/jobs/" + job + "?mode=cancel"))
                        .method("PATCH", HttpRequest.BodyPublishers.noBody()));
        awaitState(job, "CANCELED");
    }

    /** Runs a jcmd command against a cluster process. */
    public String jcmd(String process, String... command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("jcmd", Long.toString(pid(process))));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(2, TimeUnit.MINUTES);
        return out;
    }

    /** Polls {@code condition} until it holds; fails naming {@code what} after {@code timeout}. */
    public static void await(String what, Duration timeout, Check condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(250);
        }
    }

    /** A condition that may throw (a REST call). */
    @FunctionalInterface
    public interface Check {
        boolean holds() throws Exception;
    }

    @Override
    public void close() throws Exception {
        script(dir, env, "stop");
    }
}
