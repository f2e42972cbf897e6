package io.layerwatch.streaming;

import java.util.List;
import java.util.Optional;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;

/**
 * Hands the one rules split to the one reader when it registers, and again when a failed reader
 * gives it back. Its state is the split while no reader holds it.
 */
final class RulesReloadEnumerator
        implements SplitEnumerator<RulesReloadSplit, Optional<RulesReloadSplit>> {
    private final SplitEnumeratorContext<RulesReloadSplit> context;

    /** The split no reader holds; null once assigned. */
    private RulesReloadSplit pending;

    RulesReloadEnumerator(
            SplitEnumeratorContext<RulesReloadSplit> context, Optional<RulesReloadSplit> pending) {
        this.context = context;
        this.pending = pending.orElse(null);
    }

    @Override
    public void start() {
        // the reader registers itself: see addReader
    }

    @Override
    public void handleSplitRequest(int subtaskId, String requesterHostname) {
        // the reader does not ask: the split comes when it registers
    }

    @Override
    public void addSplitsBack(List<RulesReloadSplit> splits, int subtaskId) {
        if (!splits.isEmpty()) {
            pending = splits.get(0);
            assignPending();
        }
    }

    @Override
    public void addReader(int subtaskId) {
        assignPending();
    }

    private void assignPending() {
        if (pending != null && context.registeredReaders().containsKey(0)) {
            context.assignSplit(pending, 0);
            pending = null;
        }
    }

    @Override
    public Optional<RulesReloadSplit> snapshotState(long checkpointId) {
        return Optional.ofNullable(pending);
    }

    @Override
    public void close() {
        // nothing held
    }
}
