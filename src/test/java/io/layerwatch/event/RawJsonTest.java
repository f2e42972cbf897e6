package io.layerwatch.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.testing.CollectingOutput;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RawJsonTest {
    private static final byte[] SLAB =
            "xx{\"a\":1}{\"roleDelivery\":2}yy".getBytes(StandardCharsets.UTF_8);
    private static final RawJson FIRST = RawJson.slice(SLAB, 2, 7);
    private static final RawJson SECOND = RawJson.slice(SLAB, 9, 18);

    @Test
    void aSliceIsItsRangeOnly() throws Exception {
        assertThat(FIRST.text()).isEqualTo("{\"a\":1}");
        assertThat(FIRST.length()).isEqualTo(7);
        assertThat(FIRST.toBytes()).isEqualTo("{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        SECOND.writeTo(new DataOutputStream(written));
        assertThat(written.toString(StandardCharsets.UTF_8)).isEqualTo("{\"roleDelivery\":2}");
    }

    @Test
    void containsLooksInsideTheRangeOnly() {
        byte[] delivery = "roleDelivery".getBytes(StandardCharsets.UTF_8);
        assertThat(SECOND.contains(delivery)).isTrue();
        assertThat(FIRST.contains(delivery)).isFalse();
        assertThat(FIRST.contains("xx".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(FIRST.contains("{\"a\":1}".getBytes(StandardCharsets.UTF_8))).isTrue();
    }

    @Test
    void equalByContentWhereverTheBytesLie() {
        RawJson alone = RawJson.of("{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        assertThat(FIRST).isEqualTo(alone).hasSameHashCodeAs(alone).isNotEqualTo(SECOND);
    }

    @Test
    void aRangeDetachesIntoAnArrayOfItsOwn() {
        RawJson own = FIRST.detached();
        assertThat(own).isEqualTo(FIRST);
        assertThat(own.bytes()).hasSize(7);
        assertThat(own.detached()).isSameAs(own);
    }

    @Test
    void aLogFilesRecordsShareOneArrayUntilAnEventIsDetached() {
        String record =
                "{\"eventTime\":\"2024-05-01T12:00:00Z\",\"eventSource\":\"ecr.amazonaws.com\","
                        + "\"eventName\":\"ListImages\",\"eventID\":\"";
        List<EcrEvent> events =
                CollectingOutput.decode(
                                ("{\"Records\":[" + record + "a\"}," + record + "b\"}]}")
                                        .getBytes(StandardCharsets.UTF_8),
                                true)
                        .events();

        assertThat(events).hasSize(2);
        RawJson a = events.get(0).rawJson();
        assertThat(events.get(1).rawJson().bytes()).isSameAs(a.bytes());
        EcrEvent detached = events.get(0).detached();
        assertThat(detached).isEqualTo(events.get(0));
        assertThat(detached.rawJson().bytes()).isNotSameAs(a.bytes()).hasSize(a.length());
        assertThat(detached.detached()).isSameAs(detached);
    }
}
