package io.layerwatch.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.config.RulesUpdate;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.connectors.kinesis.model.SequenceNumber;
import org.junit.jupiter.api.Test;

/**
 * Which types of the streaming job Flink would serialize with Kryo (its fallback for types it
 * cannot analyse).
 */
class StreamingJobTypesTest {

    @Test
    void everyStreamOfTheJobHasAFlinkSerializer() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.getConfig().disableGenericTypes();
        StreamingOptions options =
                new StreamingOptions(
                        "arn:aws:kinesis:us-east-1:111122223333:stream/trail",
                        "us-east-1",
                        null,
                        StreamingOptions.InitialPosition.LATEST,
                        null,
                        null,
                        StreamingOptions.BUILT_IN_RULES,
                        Duration.ofMinutes(1),
                        List.of("securityhub", "sns"),
                        Map.of("sns.topic.arn", "arn:aws:sns:us-east-1:111122223333:findings"));
        StreamingJob.build(env, options, "", RulesConfigLoader.builtIn(), null, false);
        // Creates the serializer of every edge: a Kryo-only type fails here with generic types
        // disabled.
        assertThat(env.getStreamGraph().getStreamNodes()).isNotEmpty();
    }

    /**
     * The value types the job keeps in state (keyed, broadcast and list state) besides the stream
     * edges.
     */
    @Test
    void theJobsOwnStateTypesHaveFlinkSerializers() {
        for (Class<?> type : List.of(RulesUpdate.class, EcrEvent.class, Finding.class)) {
            assertThat(TypeInformation.of(type))
                    .as(type.getName())
                    .isNotInstanceOf(GenericTypeInfo.class);
        }
    }

    /**
     * The Kinesis consumer's checkpointed shard positions, Tuple2&lt;StreamShardMetadata,
     * SequenceNumber&gt;: SequenceNumber is the connector's and only Kryo can serialize it. Its
     * serializer is copied for every checkpoint, which logs "Kryo serializer scala extensions are
     * not available." unless Flink's lib/ holds flink-scala (flink-dist ships it).
     */
    @Test
    void theKinesisConsumersStateIsTheOneKryoType() {
        TypeInformation<SequenceNumber> type = TypeInformation.of(SequenceNumber.class);
        assertThat(type).isInstanceOf(GenericTypeInfo.class);
        ExecutionConfig config = new ExecutionConfig();
        config.disableGenericTypes();
        assertThatThrownBy(() -> type.createSerializer(config.getSerializerConfig()))
                .hasMessageContaining("Generic types have been disabled");
    }
}
