package io.layerwatch.rules;

import io.layerwatch.config.Allowlist;
import io.layerwatch.config.LiveRules;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RuleSettings;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesUpdate;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.event.EventKind;
import io.layerwatch.event.SessionKeys;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * {@code workload-credentials-outside}: session credentials issued to a workload, then used for an
 * ECR call from another network by a client that is not that runtime. Keyed by session key ({@code
 * ASIA...}).
 *
 * <p>Input: the origins the decoder reports (the first sighting of each key in any CloudTrail
 * record, {@link EventKind#SESSION_ORIGIN}) and the ECR calls made with session keys. The key's
 * origin is its earliest record seen: a workload's when its user agent carries a compute runtime's
 * marker ({@code awslambda-worker}, {@code exec-env/AWS_Lambda_*}, {@code exec-env/AWS_ECS_*}), or
 * when the credentials are an EC2 instance's (session named {@code i-...}, or EC2 role delivery in
 * the session context). A later ECR call is outside when its network (the /16 of an IPv4 address,
 * /48 of an IPv6 one) is public, differs from the origin's, is not trusted by the allowlist, and
 * its client carries no runtime marker. An EC2 instance's clients carry none, so its origin must be
 * public to compare with. One finding per key. State: the origin and its workload (decided once),
 * and the last {@value #RECENT} possibly outside ECR calls per key, cleared {@link #SESSION_TTL}
 * after the origin (no session lasts longer); calls that come before an earlier origin are judged
 * again. Under live rules each event waits for the watermark (the events of a key are judged in
 * event-time order); the {@link Static} variant gets them sorted already.
 */
@SuppressWarnings("SameNameButDifferent") // Context: each function class its own
public final class WorkloadCredentialsOutside
        extends KeyedBroadcastProcessFunction<String, EcrEvent, RulesUpdate, Finding> {
    private static final long serialVersionUID = 1L;
    public static final String ID = RuleCatalog.WORKLOAD_CREDENTIALS_OUTSIDE;

    /** The longest an STS session lasts (role chaining aside, 12h; federation tokens 36h). */
    public static final Duration SESSION_TTL = Duration.ofHours(36);

    /** ECR calls kept per key for an origin that arrives after them. */
    static final int RECENT = 8;

    private static final Pattern INSTANCE_SESSION = Pattern.compile("i-[0-9a-f]{8}([0-9a-f]{9})?");
    private static final byte[] EC2_ROLE_DELIVERY =
            "\"ec2RoleDelivery\"".getBytes(StandardCharsets.US_ASCII);

    private final LiveRules live;
    private final Logic logic;

    public WorkloadCredentialsOutside(RulesConfig config) {
        this.live = new LiveRules(config);
        this.logic = new Logic(config.rule(ID));
    }

    /**
     * ECR calls the rule judges: with a session key, not by an AWS service, and either from a
     * public network (an outside use, or an instance's public origin) or by a runtime (a workload's
     * origin). Calls from inside without a runtime marker can be neither, and do not reach the
     * keyed state.
     */
    public static boolean isSessionCall(EcrEvent e) {
        return e.isEcrApiCall()
                && !e.principal().isAwsService()
                && SessionKeys.isSessionKey(e.principal().accessKeyId())
                && (fromPublicAddress(e) || runtime(e.userAgent()) != null);
    }

    /** What the rule gets: session origins and {@link #isSessionCall session calls}. */
    public static boolean relevant(EcrEvent e) {
        return e.kind() == EventKind.SESSION_ORIGIN || isSessionCall(e);
    }

    /**
     * A session call that may be an outside use: not by the runtime itself, so (being a session
     * call) from a public network and not through a VPC endpoint. Only these are judged and kept.
     */
    static boolean outsideCall(EcrEvent e) {
        return isSessionCall(e) && runtime(e.userAgent()) == null;
    }

    /** The key the rule's state is kept by. */
    public static String sessionKey(EcrEvent e) {
        return e.principal().accessKeyId();
    }

    @Override
    public void open(OpenContext openContext) {
        logic.open(getRuntimeContext(), true);
    }

    @Override
    public void processBroadcastElement(RulesUpdate update, Context ctx, Collector<Finding> out)
            throws Exception {
        LiveRules.update(ctx.getBroadcastState(LiveRules.STATE), update);
    }

    /**
     * Holds each event until the watermark passes it, so that any arrival order gives the same
     * finding.
     */
    @Override
    public void processElement(EcrEvent e, ReadOnlyContext ctx, Collector<Finding> out)
            throws Exception {
        if (e.eventTime() <= ctx.timerService().currentWatermark()) {
            logic.element(
                    e,
                    ctx.timerService(),
                    live.current(ctx.getBroadcastState(LiveRules.STATE)).rule(ID),
                    out);
        } else {
            logic.hold(e, ctx.timerService());
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Finding> out)
            throws Exception {
        RuleSettings settings = live.current(ctx.getBroadcastState(LiveRules.STATE)).rule(ID);
        for (EcrEvent e : logic.release(timestamp)) {
            logic.element(e, ctx.timerService(), settings, out);
        }
        logic.expire(timestamp);
    }

    /** The rule under the startup rules (a replay at parallelism 1, in the decoder's task). */
    public static final class Static extends KeyedProcessFunction<String, EcrEvent, Finding> {
        private static final long serialVersionUID = 1L;
        private final Logic logic;

        public Static(RulesConfig config) {
            this.logic = new Logic(config.rule(ID));
        }

        @Override
        public void processElement(EcrEvent e, Context ctx, Collector<Finding> out)
                throws Exception {
            logic.element(e, ctx.timerService(), logic.startup, out);
        }

        @Override
        public void open(OpenContext openContext) {
            logic.open(getRuntimeContext(), false); // no TTL: a replay's clock is its events'
        }

        @Override
        public void onTimer(long timestamp, OnTimerContext ctx, Collector<Finding> out)
                throws Exception {
            logic.expire(timestamp);
        }
    }

    /** The compute runtime a key was issued to, from its origin record; null when none shows. */
    static String workload(EcrEvent origin) {
        String runtime = runtime(origin.userAgent());
        if (runtime != null) {
            return runtime;
        }
        return instanceCredentials(origin) ? "EC2" : null;
    }

    /** The runtime marked in a user agent: Lambda, ECS, or null. */
    static String runtime(String userAgent) {
        if (userAgent == null) {
            return null;
        }
        if (userAgent.startsWith("awslambda-worker")) {
            return "Lambda";
        }
        int env = userAgent.indexOf("exec-env/AWS_"); // as the SDKs write it
        if (env < 0) {
            return null;
        }
        return userAgent.startsWith("Lambda_", env + 13)
                ? "Lambda"
                : userAgent.startsWith("ECS_", env + 13) ? "ECS" : null;
    }

    /**
     * An EC2 instance profile's session: named after the instance, or delivered by the instance
     * metadata service.
     */
    static boolean instanceCredentials(EcrEvent e) {
        String session = e.principal().sessionName();
        return (session != null && INSTANCE_SESSION.matcher(session).matches())
                || (e.rawJson() != null && e.rawJson().contains(EC2_ROLE_DELIVERY));
    }

    /** The client family of a user agent, for the finding. */
    static String client(String userAgent) {
        String ua = userAgent == null ? "" : userAgent.toLowerCase(Locale.ROOT);
        if (ua.contains("aws-cli")) {
            return "AWS CLI";
        }
        if (ua.startsWith("docker") || ua.contains(" docker/")) {
            return "docker";
        }
        if (ua.contains("aws-sdk") || ua.contains("boto") || ua.contains("aws-internal")) {
            return "AWS SDK";
        }
        return ua.isEmpty() ? "unknown" : "other";
    }

    /**
     * The network an event came from: its VPC endpoint, "aws" for a service name instead of an
     * address, "private" for an RFC 1918 or IPv6 unique-local address, else the address's /16
     * (IPv4) or /48 (IPv6).
     */
    static String network(EcrEvent e) {
        if (e.vpcEndpointId() != null) {
            return "vpce:" + e.vpcEndpointId();
        }
        String ip = e.sourceIp();
        if (ip == null || ip.isEmpty()) {
            return "aws";
        }
        if (ip.indexOf(':') >= 0) {
            String[] groups = ip.split(":", -1);
            if (groups.length < 3 || groups[0].isEmpty()) {
                return "aws";
            }
            String first = groups[0].toLowerCase(Locale.ROOT);
            return first.startsWith("fc") || first.startsWith("fd")
                    ? "private"
                    : first + ":" + groups[1] + ":" + groups[2] + "::/48";
        }
        int head = ipv4Head(ip);
        if (head < 0) {
            return "aws"; // a service name (lambda.amazonaws.com, AWS Internal)
        }
        return privateIpv4(head) ? "private" : (head >> 8) + "." + (head & 0xff) + ".0.0/16";
    }

    /**
     * Whether {@link #network} is a public address's: the check on every ECR call, without
     * allocating.
     */
    static boolean fromPublicAddress(EcrEvent e) {
        String ip = e.sourceIp();
        if (e.vpcEndpointId() != null || ip == null || ip.isEmpty()) {
            return false;
        }
        int colon = ip.indexOf(':');
        if (colon >= 0) {
            if (colon == 0 || ip.indexOf(':', colon + 1) < 0) {
                return false;
            }
            char second = colon > 1 ? Character.toLowerCase(ip.charAt(1)) : ' ';
            return !(Character.toLowerCase(ip.charAt(0)) == 'f'
                    && (second == 'c' || second == 'd'));
        }
        int head = ipv4Head(ip);
        return head >= 0 && !privateIpv4(head);
    }

    /**
     * The first two octets of a dotted quad (each 0-255, 1-3 digits) as {@code a << 8 | b}; -1 if
     * not one.
     */
    private static int ipv4Head(String ip) {
        int dots = 0;
        int digits = 0;
        int value = 0;
        int head = 0;
        for (int i = 0; i <= ip.length(); i++) {
            char c = i < ip.length() ? ip.charAt(i) : '.';
            if (c >= '0' && c <= '9' && digits < 3) {
                value = value * 10 + (c - '0');
                digits++;
            } else if (c == '.' && digits > 0 && value <= 255 && dots < 4) {
                head = dots < 2 ? head << 8 | value : head;
                dots++;
                digits = 0;
                value = 0;
            } else {
                return -1;
            }
        }
        return dots == 4 ? head : -1;
    }

    private static boolean privateIpv4(int head) {
        int a = head >> 8;
        int b = head & 0xff;
        return a == 10 || (a == 172 && b >= 16 && b <= 31) || (a == 192 && b == 168);
    }

    private static boolean isPublic(String network) {
        return !network.equals("aws") && !network.equals("private") && !network.startsWith("vpce:");
    }

    /** The rule's keyed state and judgement, whichever function holds it. */
    private static final class Logic implements Serializable {
        private static final long serialVersionUID = 1L;
        private final RuleSettings startup;
        private transient ValueState<EcrEvent> origin;

        /** {@link #workload} of the origin, "" for none: decided once per origin. */
        private transient ValueState<String> originWorkload;

        private transient ValueState<Boolean> reported;
        private transient ListState<EcrEvent> recent;
        private transient MapState<Long, List<EcrEvent>> held;

        Logic(RuleSettings startup) {
            this.startup = startup;
        }

        /**
         * @param expire also give the state a time to live (processing time: a backstop while event
         *     time stalls)
         */
        void open(RuntimeContext ctx, boolean expire) {
            ValueStateDescriptor<EcrEvent> first =
                    new ValueStateDescriptor<>("origin", TypeInformation.of(EcrEvent.class));
            ValueStateDescriptor<String> firstWorkload =
                    new ValueStateDescriptor<>("origin-workload", Types.STRING);
            ValueStateDescriptor<Boolean> done =
                    new ValueStateDescriptor<>("reported", Types.BOOLEAN);
            ListStateDescriptor<EcrEvent> calls =
                    new ListStateDescriptor<>("recent-calls", TypeInformation.of(EcrEvent.class));
            MapStateDescriptor<Long, List<EcrEvent>> waiting =
                    new MapStateDescriptor<>(
                            "held", Types.LONG, Types.LIST(TypeInformation.of(EcrEvent.class)));
            if (expire) {
                StateTtlConfig ttl =
                        StateTtlConfig.newBuilder(SESSION_TTL.multipliedBy(2))
                                .cleanupFullSnapshot()
                                .build();
                first.enableTimeToLive(ttl);
                firstWorkload.enableTimeToLive(ttl);
                done.enableTimeToLive(ttl);
                calls.enableTimeToLive(ttl);
                // Drained by event-time timers; the TTL only bounds a stalled clock.
                waiting.enableTimeToLive(
                        StateTtlConfig.newBuilder(SESSION_TTL)
                                .cleanupFullSnapshot()
                                .disableCleanupInBackground()
                                .build());
            }
            origin = ctx.getState(first);
            originWorkload = ctx.getState(firstWorkload);
            reported = ctx.getState(done);
            recent = ctx.getListState(calls);
            held = ctx.getMapState(waiting);
        }

        /** Keeps an event until the watermark reaches its time. */
        void hold(EcrEvent e, TimerService timers) throws Exception {
            List<EcrEvent> at = held.get(e.eventTime());
            if (at == null) {
                at = new ArrayList<>(1);
                timers.registerEventTimeTimer(e.eventTime());
            }
            at.add(e);
            held.put(e.eventTime(), at);
        }

        /** The events held for {@code timestamp}, in event order. */
        List<EcrEvent> release(long timestamp) throws Exception {
            List<EcrEvent> at = held.get(timestamp);
            if (at == null) {
                return List.of();
            }
            held.remove(timestamp);
            at.sort(FindingBuilder.EVENT_ORDER);
            return at;
        }

        void element(EcrEvent e, TimerService timers, RuleSettings settings, Collector<Finding> out)
                throws Exception {
            EcrEvent known = origin.value();
            boolean expired =
                    known != null && e.eventTime() - known.eventTime() > SESSION_TTL.toMillis();
            if (expired) {
                clear();
                known = null;
            }
            if (known == null || FindingBuilder.EVENT_ORDER.compare(e, known) < 0) {
                origin.update(e.detached()); // kept up to SESSION_TTL
                String runtime = workload(e);
                originWorkload.update(runtime == null ? "" : runtime);
                timers.registerEventTimeTimer(e.eventTime() + SESSION_TTL.toMillis());
                known = e;
                List<EcrEvent> calls = new ArrayList<>();
                recent.get().forEach(calls::add);
                calls.sort(FindingBuilder.EVENT_ORDER);
                for (EcrEvent call : calls) { // they came before this earlier origin
                    judge(call, known, settings, out);
                }
            }
            if (!outsideCall(e) || Boolean.TRUE.equals(reported.value())) {
                return; // only an origin, or the key is reported already
            }
            List<EcrEvent> calls = new ArrayList<>(RECENT + 1);
            recent.get().forEach(calls::add);
            calls.add(e.detached());
            if (calls.size() > RECENT) {
                calls.remove(0);
            }
            recent.update(calls);
            judge(e, known, settings, out);
        }

        void expire(long timestamp) throws Exception {
            EcrEvent known = origin.value();
            if (known != null && known.eventTime() + SESSION_TTL.toMillis() <= timestamp) {
                clear();
            }
        }

        private void clear() {
            origin.clear();
            originWorkload.clear();
            reported.clear();
            recent.clear();
        }

        @SuppressWarnings("ReferenceEquality") // the origin record itself
        private void judge(
                EcrEvent call, EcrEvent first, RuleSettings settings, Collector<Finding> out)
                throws Exception {
            String workload = originWorkload.value();
            if (workload == null || workload.isEmpty()) {
                return; // every record of a key carries its session context: the origin's tells
            }
            if (call == first
                    || call.eventId().equals(first.eventId())
                    || call.eventTime() < first.eventTime()
                    || Boolean.TRUE.equals(reported.value())
                    || !settings.enabled()
                    || settings.allowlisted(call)) {
                return;
            }
            String outside = network(call);
            String home = network(first);
            boolean comparable = runtime(first.userAgent()) != null || isPublic(home);
            if (!comparable
                    || outside.equals(home)
                    || settings.allowlist().network(call) == Allowlist.Network.TRUSTED) {
                return;
            }
            reported.update(true);
            String key = call.principal().accessKeyId();
            String role = call.principal().arn();
            String client = client(call.userAgent());
            out.collect(
                    FindingBuilder.of(settings)
                            .event(first)
                            .event(call)
                            .subject(call)
                            .repositoryFrom(call)
                            .key(key)
                            .title(
                                    workload
                                            + " credentials of "
                                            + role
                                            + " used outside from "
                                            + call.sourceIp())
                            .description(
                                    "Session key "
                                            + key
                                            + " of "
                                            + role
                                            + " was issued to a "
                                            + workload
                                            + " workload (first seen from "
                                            + first.sourceIp()
                                            + " with "
                                            + first.userAgent()
                                            + " in "
                                            + first.eventName()
                                            + ") and then used for ECR "
                                            + call.eventName()
                                            + (call.repositoryName() == null
                                                    ? ""
                                                    : " on " + call.repositoryName())
                                            + " from "
                                            + call.sourceIp()
                                            + " by "
                                            + client
                                            + " ("
                                            + call.userAgent()
                                            + "): stolen workload"
                                            + " credentials used outside the workload.")
                            .detail("accessKeyId", key)
                            .detail("role", role)
                            .detail("sessionName", call.principal().sessionName())
                            .detail("workload", workload)
                            .detail("workloadSourceIp", first.sourceIp())
                            .detail("workloadNetwork", home)
                            .detail("workloadUserAgent", first.userAgent())
                            .detail("workloadFirstSeen", first.time().toString())
                            .detail("outsideSourceIp", call.sourceIp())
                            .detail("outsideNetwork", outside)
                            .detail("outsideUserAgent", call.userAgent())
                            .detail("outsideClient", client)
                            .build());
        }
    }
}
