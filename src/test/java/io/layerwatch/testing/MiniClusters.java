package io.layerwatch.testing;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/**
 * The Flink MiniCluster the integration tests run their jobs on: one TaskManager with a given
 * number of slots, shared by a test class's methods.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final MiniClusterExtension CLUSTER = MiniClusters.withSlots(2);
 * }</pre>
 */
public final class MiniClusters {

    private MiniClusters() {}

    /**
     * One TaskManager with {@code slots} task slots: the highest parallelism a test's jobs may use.
     */
    public static MiniClusterExtension withSlots(int slots) {
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setNumberTaskManagers(1)
                        .setNumberSlotsPerTaskManager(slots)
                        .build());
    }
}
