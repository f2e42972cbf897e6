package io.layerwatch.bench;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/** Where a benchmark ran: cores, JVM, maximum heap, OS, load when it started. */
public record Machine(int cores, String jvm, long maxHeapBytes, String os, double loadAverage) {

    public static Machine current() {
        return new Machine(
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name")
                        + " "
                        + System.getProperty("java.runtime.version"),
                Runtime.getRuntime().maxMemory(),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", cores);
        m.put("jvm", jvm);
        m.put("maxHeapBytes", maxHeapBytes);
        m.put("os", os);
        m.put("loadAverage", Math.round(loadAverage * 100) / 100.0);
        return m;
    }

    @Override
    public String toString() {
        return cores
                + " cores, "
                + jvm
                + ", max heap "
                + mib(maxHeapBytes)
                + " MiB, "
                + os
                + String.format(", load average %.2f", loadAverage);
    }

    static long mib(long bytes) {
        return bytes / (1024 * 1024);
    }
}
