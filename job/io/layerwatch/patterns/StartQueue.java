package io.layerwatch.patterns;

import org.apache.flink.api.common.functions.RuntimeContext;

/**
 * A {@link MatchLogic} whose state is the queue of the first events of its open partial matches,
 * each timing out a window after it: {@link FollowedBy} and {@link FollowedByAny} differ only in
 * what a later event does with the queue.
 */
abstract class StartQueue implements MatchLogic {
    private static final long serialVersionUID = 1L;

    final String first;
    private final long window;
    transient EventQueue<?> starts;

    StartQueue(String first, long window) {
        this.first = first;
        this.window = window;
    }

    @Override
    public void open(RuntimeContext ctx, boolean inPlace, String prefix) {
        starts = EventQueue.of(ctx, prefix + first, inPlace);
    }

    @Override
    public void advance(long time) throws Exception {
        starts.expire(time, window, e -> {});
    }

    @Override
    public void copyFrom(MatchLogic other) throws Exception {
        starts.copyFrom(((StartQueue) other).starts);
    }

    @Override
    public void clear() throws Exception {
        starts.clear();
    }

    @Override
    public void begin() {
        starts.begin();
    }

    @Override
    public void end() throws Exception {
        starts.end();
    }

    @Override
    public long nextTimeout() throws Exception {
        return starts.nextTimeout(window);
    }
}
