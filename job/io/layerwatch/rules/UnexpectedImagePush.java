package io.layerwatch.rules;

import io.layerwatch.config.Glob;
import io.layerwatch.config.ParamType;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RuleSettings;
import io.layerwatch.config.Severity;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.util.Collector;

/**
 * {@code unexpected-image-push}: a successful PutImage by a principal matching no glob in {@code
 * pushers}; with {@code pushers} empty, each repository learns its pushers (as first-seen-puller
 * its pullers) and then reports a first-seen one. Raised to HIGH when the push also comes from an
 * untrusted network or a foreign account, or uses a long-term access key (AKIA...) that did not
 * call GetAuthorizationToken within the {@code tokenWindow} before (docker and every registry
 * client log in first: a push without a token is the ECR API driven directly, with a key that may
 * have leaked).
 *
 * <p>Two keyed stages, both in event-time order: {@link Tokens} by access key (long-term keys) or
 * repository, which marks each push that used a long-term key without a token; {@link Pushers} by
 * repository, which judges.
 */
public final class UnexpectedImagePush {
    public static final String ID = RuleCatalog.UNEXPECTED_IMAGE_PUSH;

    /** A push and whether it used a long-term key without a registry token in the window before. */
    public static final TypeInformation<Tuple2<EcrEvent, Boolean>> PUSH =
            Types.TUPLE(TypeInformation.of(EcrEvent.class), Types.BOOLEAN);

    static final String TOKEN_CALL = "GetAuthorizationToken";

    private UnexpectedImagePush() {}

    /**
     * What the rule reads: successful pushes by anyone but AWS services, registry logins with
     * long-term keys.
     */
    public static boolean relevant(EcrEvent e) {
        return !e.failed()
                && !e.principal().isAwsService()
                && ((e.is("PutImage") && e.repositoryName() != null)
                        || (e.is(TOKEN_CALL) && longTermKey(e)));
    }

    /** An IAM user's (or root's) access key: AKIA..., where role sessions have ASIA... */
    static boolean longTermKey(EcrEvent e) {
        String key = e.principal().accessKeyId();
        return key != null && key.startsWith("AKIA");
    }

    /**
     * The first stage's key: the long-term access key, else the repository (nothing to remember
     * then).
     */
    public static String tokenKey(EcrEvent e) {
        return longTermKey(e) ? e.principal().accessKeyId() : e.repositoryKey();
    }

    /** The second stage's key. */
    public static String repositoryKey(Tuple2<EcrEvent, Boolean> push) {
        return push.f0.repositoryKey();
    }

    /** Per long-term key, its last GetAuthorizationToken; passes each push on with its verdict. */
    public static final class Tokens extends OrderedRule.EventLogic<Tuple2<EcrEvent, Boolean>> {
        private static final long serialVersionUID = 1L;
        private transient ValueState<Long> lastToken;

        public Tokens() {
            super(ID, "tokenWindow");
        }

        @Override
        public void open(RuntimeContext ctx, RuleSettings startup, boolean expire) {
            lastToken =
                    ctx.getState(
                            expiring(
                                    new ValueStateDescriptor<>("last-token", Types.LONG),
                                    startup,
                                    expire));
        }

        @Override
        public void judge(
                EcrEvent e, RuleSettings settings, Collector<Tuple2<EcrEvent, Boolean>> out)
                throws Exception {
            Long last = lastToken.value();
            if (e.is(TOKEN_CALL)) {
                lastToken.update(last == null ? e.eventTime() : Math.max(last, e.eventTime()));
                return;
            }
            boolean tokenless =
                    longTermKey(e)
                            && (last == null
                                    || e.eventTime() - last
                                            > settings.duration("tokenWindow").toMillis());
            out.collect(Tuple2.of(e, tokenless));
        }
    }

    /** Per repository: expected pushers (the globs, or those learned) and the judgement. */
    public static final class Pushers extends OrderedRule.Base<Tuple2<EcrEvent, Boolean>, Finding> {
        private static final long serialVersionUID = 1L;
        private final FirstSeen learned = new FirstSeen();

        public Pushers() {
            super(ID, FirstSeen.RETENTION);
        }

        @Override
        public TypeInformation<Tuple2<EcrEvent, Boolean>> inputType() {
            return PUSH;
        }

        @Override
        public long eventTime(Tuple2<EcrEvent, Boolean> push) {
            return push.f0.eventTime();
        }

        @Override
        public Comparator<Tuple2<EcrEvent, Boolean>> order() {
            return Comparator.comparing(p -> p.f0, FindingBuilder.EVENT_ORDER);
        }

        @Override
        public void open(RuntimeContext ctx, RuleSettings startup, boolean expire) {
            learned.open(ctx, startup, expire);
        }

        @Override
        public void judge(
                Tuple2<EcrEvent, Boolean> push, RuleSettings settings, Collector<Finding> out)
                throws Exception {
            EcrEvent e = push.f0;
            List<String> pushers = settings.strings("pushers");
            FirstSeen.New news = null;
            if (pushers.isEmpty()) {
                news = learned.see(e.principal().arn(), e.eventTime(), settings);
                if (news == null) {
                    return;
                }
            } else if (matches(pushers, e)) {
                return;
            }
            if (!settings.enabled() || settings.allowlisted(e)) {
                return;
            }
            List<String> reasons = escalations(e, push.f1, settings);
            Severity severity =
                    reasons.isEmpty() || settings.severity().compareTo(Severity.HIGH) >= 0
                            ? settings.severity()
                            : Severity.HIGH;
            PushedImage image = PushedImage.of(e);
            String why =
                    news == null
                            ? ", matching none of the expected pushers"
                            : FirstSeen.since(news, settings, "pushing");
            out.collect(
                    FindingBuilder.of(settings)
                            .severity(severity)
                            .event(e)
                            .key(e.repositoryKey() + "|" + e.principal().arn())
                            .title(
                                    "Unexpected image push to "
                                            + e.repositoryName()
                                            + " by "
                                            + e.principal().name())
                            .description(
                                    e.principal().arn()
                                            + " pushed "
                                            + image.describe()
                                            + " to repository "
                                            + e.repositoryName()
                                            + " from "
                                            + e.sourceIp()
                                            + why
                                            + (reasons.isEmpty()
                                                    ? "."
                                                    : "; " + String.join("; ", reasons) + "."))
                            .detail("expectedPushers", news == null ? "pushers" : "learned")
                            .detail("firstSeen", news == null ? null : news.previous() == null)
                            .detail(
                                    "learningStartedAt",
                                    news == null
                                            ? null
                                            : Instant.ofEpochMilli(news.learningStart()).toString())
                            .detail("imageTag", image.tag())
                            .detail("imageDigest", image.digest())
                            .detail("reasons", reasons.isEmpty() ? null : reasons)
                            .build());
        }

        private static boolean matches(List<String> globs, EcrEvent e) {
            for (String g : globs) {
                Glob glob = Glob.of(g);
                if (glob.matches(e.principal().arn()) || glob.matches(e.principal().sessionArn())) {
                    return true;
                }
            }
            return false;
        }

        /** What makes the push HIGH. */
        private static List<String> escalations(
                EcrEvent e, boolean tokenless, RuleSettings settings) {
            List<String> reasons = UntrustedNetwork.untrustedOrigin(e, settings.allowlist());
            if (tokenless) {
                reasons.add(
                        "long-term access key "
                                + e.principal().accessKeyId()
                                + " did not call "
                                + TOKEN_CALL
                                + " in the "
                                + ParamType.format(settings.duration("tokenWindow"))
                                + " before");
            }
            return reasons;
        }
    }
}
