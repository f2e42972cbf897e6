package io.layerwatch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.config.RulesUpdate;
import io.layerwatch.pipeline.JobShape.Keying;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

class JobShapeTest {
    private static final RulesConfig CONFIG = RulesConfigLoader.builtIn();

    /** A rules stream; the job is never run. */
    private static DataStream<RulesUpdate> updates() {
        return StreamExecutionEnvironment.getExecutionEnvironment()
                .fromData(new RulesUpdate("rules.yaml", ""));
    }

    @Test
    void keysInPlaceRefuseLiveRules() {
        JobShape streaming = JobShape.streaming(CONFIG, updates());

        assertThatThrownBy(() -> streaming.withKeying(Keying.IN_PLACE, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("keys in place need the startup rules");
    }

    @Test
    void keysInPlaceTakeTheStartupRules() {
        assertThat(JobShape.replay(CONFIG).withKeying(Keying.IN_PLACE, 1).keying())
                .isEqualTo(Keying.IN_PLACE);
    }
}
