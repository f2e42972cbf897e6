package io.layerwatch.testing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * A job run once per key (a test parameter) whose result, or failure, every test of that key
 * shares: one Flink job for several test methods that each check one behaviour of it. The first
 * test to ask runs it; the others wait for it.
 */
public final class OncePerKey<K, V> {

    /** What to run for a key. */
    @FunctionalInterface
    public interface Run<K, V> {
        V run(K key) throws Exception;
    }

    private final Run<K, V> run;
    private final Map<K, FutureTask<V>> runs = new ConcurrentHashMap<>();

    public OncePerKey(Run<K, V> run) {
        this.run = run;
    }

    /** The result for {@code key}, run on the first call; the run's failure on every call. */
    public V get(K key) throws Exception {
        FutureTask<V> task = runs.computeIfAbsent(key, k -> new FutureTask<>(() -> run.run(k)));
        task.run(); // nothing once it has run or while another test runs it
        try {
            return task.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception failure) {
                throw failure;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }
}
