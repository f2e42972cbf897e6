package io.layerwatch.rules;

import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RuleSettings;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import java.time.Instant;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.util.Collector;

/**
 * {@code first-seen-puller}: per repository, a principal pulling that was not seen before. Each
 * repository first learns quietly for {@code learningPeriod} (event time, from its first pull); a
 * puller unseen for {@code forgetAfter} counts as new again. Events are processed in event-time
 * order (buffered until the watermark passes them), so any arrival order gives the same findings.
 * Keyed by repository.
 */
public final class FirstSeenPuller extends OrderedRule<EcrEvent, Finding> {
    private static final long serialVersionUID = 1L;
    public static final String ID = RuleCatalog.FIRST_SEEN_PULLER;

    public FirstSeenPuller(RulesConfig config) {
        super(config, new Logic());
    }

    /** Successful pulls by anyone but AWS services. */
    public static boolean isPull(EcrEvent e) {
        return (e.is("BatchGetImage") || e.is("GetDownloadUrlForLayer"))
                && !e.failed()
                && !e.principal().isAwsService()
                && e.repositoryName() != null;
    }

    /** The rule on sorted pulls under the startup rules (see {@link OrderedRule.InPlace}). */
    public static final class Static extends OrderedRule.InPlace<EcrEvent, Finding> {
        private static final long serialVersionUID = 1L;

        public Static(RulesConfig config) {
            super(config, new Logic());
        }
    }

    private static final class Logic extends OrderedRule.EventLogic<Finding> {
        private static final long serialVersionUID = 1L;
        private final FirstSeen pullers = new FirstSeen();

        Logic() {
            super(ID, FirstSeen.RETENTION);
        }

        @Override
        public void open(RuntimeContext ctx, RuleSettings startup, boolean expire) {
            pullers.open(ctx, startup, expire);
        }

        @Override
        public void judge(EcrEvent e, RuleSettings settings, Collector<Finding> out)
                throws Exception {
            String who = e.principal().arn();
            FirstSeen.New news = pullers.see(who, e.eventTime(), settings);
            if (news == null || !settings.enabled() || settings.allowlisted(e)) {
                return;
            }
            out.collect(
                    FindingBuilder.of(settings)
                            .event(e)
                            .key(e.repositoryKey() + "|" + who)
                            .title(
                                    "New puller of "
                                            + e.repositoryName()
                                            + ": "
                                            + e.principal().name())
                            .description(
                                    e.principal().arn()
                                            + " pulled from repository "
                                            + e.repositoryName()
                                            + " ("
                                            + e.eventName()
                                            + ") from "
                                            + e.sourceIp()
                                            + FirstSeen.since(news, settings, "pulling")
                                            + ".")
                            .detail("firstSeen", news.previous() == null)
                            .detail(
                                    "learningStartedAt",
                                    Instant.ofEpochMilli(news.learningStart()).toString())
                            .build());
        }
    }
}
