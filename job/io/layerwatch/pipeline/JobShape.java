package io.layerwatch.pipeline;

import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesUpdate;
import io.layerwatch.event.EcrEvent;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The choices that shape the job, made once by its caller: which input is in range, where event
 * time comes from, how the keyed rules get their events, how many decoders run ahead, how payloads
 * are decoded, and whether the rules change while it runs.
 *
 * @param decoders 0: the decoder runs in its task's thread at the job's parallelism; N: on a thread
 *     of its own ({@link DecodeAhead}) in each of N subtasks, with what is chained to it up to the
 *     late tagger (in place, N decoders feed the one task that runs every rule)
 * @param updates new versions of the rules while the job runs; allowlists, thresholds, severities
 *     and enabled flags apply live, pattern shapes at restart (empty: the startup rules stay)
 */
public record JobShape(
        InputScope scope,
        Watermarks watermarks,
        Keying keying,
        int decoders,
        DecodeFunction decode,
        Optional<DataStream<RulesUpdate>> updates) {

    /** Where the event-time clock comes from. */
    public enum Watermarks {
        /**
         * Generated from the decoded events (bounded lateness), never behind the watermarks already
         * in the payload stream (a replay's file order): replay, tests. See {@link
         * BoundedLatenessWatermarks}.
         */
        FROM_EVENTS {
            @Override
            SingleOutputStreamOperator<EcrEvent> assign(
                    DataStream<EcrEvent> events, RulesConfig config) {
                return events.transform(
                                "Event time and watermarks",
                                TypeInformation.of(EcrEvent.class),
                                new BoundedLatenessWatermarks(config.maxOutOfOrderness()))
                        .uid("event-time");
            }
        },
        /**
         * Already in the payload stream (the Kinesis consumer's per-shard watermarks): events only
         * get their timestamps.
         */
        FROM_SOURCE {
            @Override
            SingleOutputStreamOperator<EcrEvent> assign(
                    DataStream<EcrEvent> events, RulesConfig config) {
                return events.transform(
                                "Event timestamps",
                                TypeInformation.of(EcrEvent.class),
                                new EventTimestamps(config.maxOutOfOrderness(), config.idleness()))
                        .uid("event-timestamps");
            }
        };

        /** The events with their timestamps, and the watermarks. */
        abstract SingleOutputStreamOperator<EcrEvent> assign(
                DataStream<EcrEvent> events, RulesConfig config);
    }

    /** How the keyed operators get their events. */
    public enum Keying {
        /**
         * keyBy: each event crosses the network to the subtask that owns its key (any parallelism,
         * rescalable).
         */
        NETWORK,
        /**
         * Parallelism 1 under the startup rules (a local replay): the one subtask owns every key,
         * so the keyed operators run in the decoder's task, their input reinterpreted as keyed, and
         * no event is serialized on its way to them. {@link EventTimeOrder} sorts the events once
         * for all of them, so they judge each event as it comes instead of buffering it per key
         * under a timer. Not for jobs that may be restored at another parallelism.
         */
        IN_PLACE
    }

    public JobShape {
        if (keying == Keying.IN_PLACE && updates.isPresent()) {
            throw new IllegalArgumentException("keys in place need the startup rules");
        }
    }

    /**
     * The payloads decoded: in the task's thread, or ahead on threads of their own in {@link
     * #decoders} subtasks.
     */
    SingleOutputStreamOperator<EcrEvent> decoded(DataStream<Payload> payloads) {
        return (decoders > 0
                        ? payloads.transform(
                                "Decode payloads",
                                TypeInformation.of(EcrEvent.class),
                                new DecodeAhead(decode))
                        : payloads.process(decode).name("Decode payloads"))
                .uid("decode");
    }

    /**
     * The operators from the decoder up to the late tagger run at the decoders' parallelism (if
     * given).
     */
    void decoderParallelism(List<SingleOutputStreamOperator<EcrEvent>> chain) {
        if (decoders > 0) {
            chain.forEach(op -> op.setParallelism(decoders));
        }
    }

    /**
     * A replay's: events in any range, their own clock, keyed by keyBy, decoded in the task's
     * thread.
     */
    public static JobShape replay(RulesConfig config) {
        return new JobShape(
                InputScope.ALL,
                Watermarks.FROM_EVENTS,
                Keying.NETWORK,
                0,
                DecodeFunction.of(config),
                Optional.empty());
    }

    /**
     * A stream's: the source's watermarks, under {@code updates} when there are any (null: none).
     */
    public static JobShape streaming(RulesConfig config, DataStream<RulesUpdate> updates) {
        return new JobShape(
                InputScope.ALL,
                Watermarks.FROM_SOURCE,
                Keying.NETWORK,
                0,
                DecodeFunction.of(config),
                Optional.ofNullable(updates));
    }

    public JobShape withScope(InputScope scope) {
        return new JobShape(scope, watermarks, keying, decoders, decode, updates);
    }

    public JobShape withDecode(DecodeFunction decode) {
        return new JobShape(scope, watermarks, keying, decoders, decode, updates);
    }

    public JobShape withKeying(Keying keying, int decoders) {
        return new JobShape(scope, watermarks, keying, decoders, decode, updates);
    }
}
