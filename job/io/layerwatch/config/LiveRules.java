package io.layerwatch.config;

import java.io.Serializable;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * The rules an operator applies right now: the startup rules until a {@link RulesUpdate} arrives on
 * the broadcast stream, then the newest update (kept in broadcast state, so it survives restores).
 */
public final class LiveRules implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final MapStateDescriptor<String, RulesUpdate> STATE =
            new MapStateDescriptor<>("rules", Types.STRING, TypeInformation.of(RulesUpdate.class));
    private static final String CURRENT = "current";

    private final RulesConfig startup;
    private transient RulesUpdate parsedFrom;
    private transient RulesConfig parsed;

    public LiveRules(RulesConfig startup) {
        this.startup = startup;
    }

    public RulesConfig startup() {
        return startup;
    }

    @SuppressWarnings("ReferenceEquality") // the update last parsed, by identity
    public RulesConfig current(ReadOnlyBroadcastState<String, RulesUpdate> state) throws Exception {
        RulesUpdate update = state.get(CURRENT);
        if (update == null) {
            return startup;
        }
        if (update != parsedFrom) {
            parsed = update.parse();
            parsedFrom = update;
        }
        return parsed;
    }

    public static void update(BroadcastState<String, RulesUpdate> state, RulesUpdate update)
            throws Exception {
        state.put(CURRENT, update);
    }
}
