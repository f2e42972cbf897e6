package io.layerwatch.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Skipping a timer registered already never loses one that is due. */
class RegisteredTimersTest {

    @Test
    void aTimerRegisteredTwiceFiresOnce() throws Exception {
        try (var h = harness()) {
            h.processElement("a + 60000", 0);
            h.processElement("a + 60000", 1);
            h.processElement("b + 60000", 2);
            h.processWatermark(60_000);
            assertThat(fired(h)).containsExactlyInAnyOrder("a@60000", "b@60000");
        }
    }

    @Test
    void aTimerRegisteredAgainAfterItFiredFiresAgain() throws Exception {
        try (var h = harness()) {
            h.processElement("a + 60000", 0);
            h.processWatermark(60_000);
            h.processElement("a + 60000", 60_000); // at the watermark: due at the next one
            h.processWatermark(60_001);
            assertThat(fired(h)).containsExactly("a@60000", "a@60000");
        }
    }

    @Test
    void aTimerRegisteredAgainAfterItWasDeletedFires() throws Exception {
        try (var h = harness()) {
            h.processElement("a + 60000", 0);
            h.processElement("a - 60000", 1);
            h.processElement("a + 60000", 2);
            h.processWatermark(60_000);
            assertThat(fired(h)).containsExactly("a@60000");
        }
    }

    @Test
    void anotherKeyInTheSameSlotDisplacesTheRememberedTimer() throws Exception {
        // "Aa" and "BB" have the same hash code: the same slot
        try (var h = harness()) {
            h.processElement("Aa + 60000", 0);
            h.processElement("BB + 60000", 1);
            h.processElement("Aa + 120000", 2);
            h.processElement("Aa + 60000", 3);
            h.processWatermark(120_000);
            assertThat(fired(h)).containsExactlyInAnyOrder("Aa@60000", "BB@60000", "Aa@120000");
        }
    }

    private static List<String> fired(
            KeyedOneInputStreamOperatorTestHarness<String, String, String> h) {
        return new ArrayList<>(h.extractOutputValues());
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, String, String> harness()
            throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new Commands(),
                        c -> c.split(" ")[0].intern(), // one instance per key, as the decoder's
                        Types.STRING);
        h.open();
        return h;
    }

    /**
     * Registers ("key + time") or deletes ("key - time") a timer; emits "key@time" when one fires.
     */
    private static final class Commands extends AbstractStreamOperator<String>
            implements OneInputStreamOperator<String, String>, Triggerable<String, VoidNamespace> {
        private transient TimerService timers;

        @Override
        public void open() throws Exception {
            super.open();
            timers =
                    new RegisteredTimers(
                            getInternalTimerService(
                                    "timers", VoidNamespaceSerializer.INSTANCE, this),
                            this);
        }

        @Override
        public void processElement(StreamRecord<String> record) {
            String[] c = record.getValue().split(" ");
            long time = Long.parseLong(c[2]);
            if (c[1].equals("+")) {
                timers.registerEventTimeTimer(time);
            } else {
                timers.deleteEventTimeTimer(time);
            }
        }

        @Override
        public void onEventTime(InternalTimer<String, VoidNamespace> timer) {
            output.collect(new StreamRecord<>(timer.getKey() + "@" + timer.getTimestamp()));
        }

        @Override
        public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) {}
    }
}
