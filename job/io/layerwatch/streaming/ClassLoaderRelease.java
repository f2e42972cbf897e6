package io.layerwatch.streaming;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.kinesis.shaded.com.amazonaws.metrics.AwsSdkMetrics;

/**
 * Lets a TaskManager drop the job's user-code classloader when the job ends there (cancel, stop,
 * failover, MSF update). Two things outside the job would keep it: the JMX MBean the Kinesis
 * connector's shaded AWS SDK v1 registers on first use, and TaskManager-wide threads (Flink's Netty
 * client threads, created by a task of this job) that inherited the job's loader as their context
 * classloader.
 */
final class ClassLoaderRelease {
    private ClassLoaderRelease() {}

    /**
     * Registers {@link #release()} to run once all of this job's tasks on this TaskManager are
     * gone.
     */
    static void register(RuntimeContext context) {
        context.registerUserCodeClassLoaderReleaseHookIfAbsent(
                ClassLoaderRelease.class.getName(), ClassLoaderRelease::release);
    }

    static void release() {
        ClassLoader own = ClassLoaderRelease.class.getClassLoader();
        if (own == RuntimeContext.class.getClassLoader()) {
            return; // loaded with Flink itself (MiniCluster, `layerwatch run`): no user-code loader
            // to free
        }
        AwsSdkMetrics.unregisterMetricAdminMBean();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t != Thread.currentThread() && t.getContextClassLoader() == own) {
                t.setContextClassLoader(own.getParent());
            }
        }
    }
}
