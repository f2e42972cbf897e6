package io.layerwatch.util;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.event.DeadLetter;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.event.EcrEventSerializer;
import io.layerwatch.finding.Finding;
import io.layerwatch.util.JsonTypeInfoFactory.JsonSerializer;
import io.layerwatch.util.JsonTypeInfoFactory.JsonTypeInformation;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.junit.jupiter.api.Test;

class OwnSerializerTypeInfoTest {

    @Test
    void typeInfosOfOneClassForOneTypeAreEqual() {
        assertThat(new EcrEventSerializer.Info()).isEqualTo(new EcrEventSerializer.Info());
        assertThat(new EcrEventSerializer.Info().hashCode())
                .isEqualTo(new EcrEventSerializer.Info().hashCode());
        assertThat(new JsonTypeInformation<>(Finding.class))
                .isEqualTo(new JsonTypeInformation<>(Finding.class))
                .hasSameHashCodeAs(new JsonTypeInformation<>(Finding.class));
    }

    @Test
    void typeInfosForAnotherTypeOrOfAnotherClassDiffer() {
        assertThat(new JsonTypeInformation<>(Finding.class))
                .isNotEqualTo(new JsonTypeInformation<>(DeadLetter.class));
        TypeInformation<EcrEvent> json = new JsonTypeInformation<>(EcrEvent.class);
        assertThat(json).isNotEqualTo(new EcrEventSerializer.Info());
        assertThat(new EcrEventSerializer.Info()).isNotEqualTo(json);
        assertThat(json.canEqual(new EcrEventSerializer.Info())).isFalse();
    }

    @Test
    void eachMakesItsOwnSerializer() {
        SerializerConfigImpl config = new SerializerConfigImpl();
        assertThat(new EcrEventSerializer.Info().createSerializer(config))
                .isInstanceOf(EcrEventSerializer.class);
        assertThat(new JsonTypeInformation<>(Finding.class).createSerializer(config))
                .isInstanceOf(JsonSerializer.class);
        assertThat(new JsonTypeInformation<>(Finding.class).getTypeClass())
                .isEqualTo(Finding.class);
    }
}
