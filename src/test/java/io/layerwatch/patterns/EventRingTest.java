package io.layerwatch.patterns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.layerwatch.event.EcrEvent;
import io.layerwatch.testing.CloudTrailRecords;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The ring an in-place event queue keeps as one state value. */
class EventRingTest {

    private static final List<EcrEvent> EVENTS = new ArrayList<>();

    static {
        for (int i = 0; i < 50; i++) {
            EVENTS.add(CloudTrailRecords.record("BatchGetImage").event());
        }
    }

    @Test
    void behavesAsADequeThroughWrapsAndGrowth() {
        Random random = new Random(7);
        EventRing ring = new EventRing();
        ArrayDeque<EcrEvent> expected = new ArrayDeque<>();
        for (int step = 0; step < 20_000; step++) {
            if (expected.isEmpty() || random.nextInt(100) < 55) {
                EcrEvent e = EVENTS.get(random.nextInt(EVENTS.size()));
                ring.add(e);
                expected.addLast(e);
            } else {
                assertThat(ring.removeFirst()).isSameAs(expected.removeFirst());
            }
            assertThat(ring.size()).isEqualTo(expected.size());
            if (step % 97 == 0) {
                assertThat(ring).containsExactlyElementsOf(expected);
                if (!expected.isEmpty()) {
                    assertThat(ring.get(0)).isSameAs(expected.peekFirst());
                    assertThat(ring.get(ring.size() - 1)).isSameAs(expected.peekLast());
                }
            }
        }
    }

    @Test
    void startsFromAnyList() {
        EventRing ring = new EventRing(EVENTS.subList(0, 9));
        assertThat(ring).containsExactlyElementsOf(EVENTS.subList(0, 9));
        ring.add(EVENTS.get(9));
        assertThat(ring.removeFirst()).isSameAs(EVENTS.get(0));
        assertThat(ring).containsExactlyElementsOf(EVENTS.subList(1, 10));
    }

    @Test
    void refusesIndexesOutsideIt() {
        EventRing ring = new EventRing(EVENTS.subList(1, 10));
        assertThatThrownBy(() -> ring.get(9)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> ring.get(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> new EventRing().removeFirst())
                .isInstanceOf(NoSuchElementException.class);
    }

    @Test
    void flinksListSerializerWritesItAsTheListItHolds() throws Exception {
        TypeSerializer<List<EcrEvent>> serializer =
                Types.LIST(TypeInformation.of(EcrEvent.class))
                        .createSerializer(new ExecutionConfig().getSerializerConfig());
        EventRing ring = new EventRing();
        for (int i = 0; i < 20; i++) {
            ring.add(EVENTS.get(i));
        }
        for (int i = 0; i < 15; i++) {
            ring.removeFirst();
        }
        for (int i = 20; i < 30; i++) {
            ring.add(EVENTS.get(i));
        }
        DataOutputSerializer out = new DataOutputSerializer(4096);
        serializer.serialize(ring, out);
        List<EcrEvent> back =
                serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back).containsExactlyElementsOf(EVENTS.subList(15, 30));
        assertThat(serializer.copy(ring)).containsExactlyElementsOf(EVENTS.subList(15, 30));
    }
}
