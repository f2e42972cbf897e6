package io.layerwatch.pipeline;

import io.layerwatch.config.RulesConfig;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.rules.FirstSeenPuller;
import io.layerwatch.rules.ImageTagOverwrite;
import io.layerwatch.rules.UnexpectedImagePush;
import io.layerwatch.rules.WorkloadCredentialsOutside;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;

/**
 * The rules keyed by repository (pulls, pushes, tags), by access key (logins) and by session key
 * (origins).
 */
final class KeyedRules {
    private static final TypeInformation<Finding> FINDING = TypeInformation.of(Finding.class);

    private KeyedRules() {}

    static DataStream<Finding> of(DataStream<EcrEvent> events, RuleWiring wiring) {
        RulesConfig config = wiring.config;
        KeyedStream<EcrEvent, String> pulls =
                wiring.keyed(
                        events.filter(FirstSeenPuller::isPull)
                                .uid("first-seen-puller-filter")
                                .name("Pulls"),
                        EcrEvent::repositoryKey);
        DataStream<Finding> firstSeen =
                wiring.keyedRule(
                                pulls,
                                () -> new FirstSeenPuller.Static(config),
                                () -> new FirstSeenPuller(config))
                        .uid("rule-" + FirstSeenPuller.ID)
                        .name(FirstSeenPuller.ID + " (by repository)");
        KeyedStream<EcrEvent, String> pushes =
                wiring.keyed(
                        events.filter(UnexpectedImagePush::relevant)
                                .uid("unexpected-image-push-filter")
                                .name("Pushes, long-term key logins"),
                        UnexpectedImagePush::tokenKey);
        DataStream<Tuple2<EcrEvent, Boolean>> marked =
                wiring.ordered(pushes, new UnexpectedImagePush.Tokens(), UnexpectedImagePush.PUSH)
                        .uid("unexpected-image-push-tokens")
                        .name(UnexpectedImagePush.ID + " (tokens by access key)");
        DataStream<Finding> unexpectedPush =
                wiring.ordered(
                                wiring.keyed(marked, UnexpectedImagePush::repositoryKey),
                                new UnexpectedImagePush.Pushers(),
                                FINDING)
                        .uid("rule-" + UnexpectedImagePush.ID)
                        .name(UnexpectedImagePush.ID + " (by repository)");
        DataStream<Finding> tagOverwrite =
                wiring.ordered(
                                wiring.keyed(
                                        events.filter(ImageTagOverwrite::relevant)
                                                .uid("image-tag-overwrite-filter")
                                                .name("Tagged pushes"),
                                        EcrEvent::repositoryKey),
                                new ImageTagOverwrite(),
                                FINDING)
                        .uid("rule-" + ImageTagOverwrite.ID)
                        .name(ImageTagOverwrite.ID + " (by repository)");
        // Session origins from every record (not only ECR's) beside the ECR calls made with session
        // keys.
        KeyedStream<EcrEvent, String> sessions =
                wiring.keyed(
                        events.filter(WorkloadCredentialsOutside::relevant)
                                .uid("workload-credentials-outside-filter")
                                .name("Session origins, ECR calls with session keys"),
                        WorkloadCredentialsOutside::sessionKey);
        DataStream<Finding> workloads =
                wiring.keyedRule(
                                sessions,
                                () -> new WorkloadCredentialsOutside.Static(config),
                                () -> new WorkloadCredentialsOutside(config))
                        .uid("rule-" + WorkloadCredentialsOutside.ID)
                        .name(WorkloadCredentialsOutside.ID + " (by session key)");
        return firstSeen.union(unexpectedPush, tagOverwrite, workloads);
    }
}
