package io.layerwatch.policies;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.event.Principal;
import io.layerwatch.replay.InputEvents;
import io.layerwatch.util.Json;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who pulled images in the last days of a trail: principals of successful {@code ecr:BatchGetImage}
 * and {@code ecr:GetDownloadUrlForLayer} calls, keyed as {@code aws:PrincipalArn} sees them (a role
 * session by its role's ARN, path included, from the session issuer; a user by its user ARN).
 *
 * <p>The window ends at the newest event read and starts at 00:00 UTC of the day {@code days} days
 * before it, so pulls are kept per day: memory grows with principals and days, not with pulls.
 */
public final class ObservedPullers {
    /** What {@code layerwatch policies --pullers} writes beside the policies. */
    public static final String FILE = "observed-pullers.json";

    private static final long DAY_MILLIS = 86_400_000L;

    /**
     * A role or user ARN without wildcards: a recorded name must not widen the SCP (paths may hold
     * * and ?).
     */
    private static final Pattern IAM_ARN =
            Pattern.compile("arn:(aws[a-z-]*):iam::(\\d{12}):(role|user)/[^*?]+");

    /** What a puller is to an SCP. */
    public enum Kind {
        ROLE,
        USER,
        ROOT,
        /** An AWS service principal: SCPs do not apply to it. */
        SERVICE,
        /**
         * Anything else: federated users, anonymous, identities too sparse to name a role or user.
         */
        OTHER
    }

    /**
     * One principal that pulled in the window.
     *
     * @param arn its aws:PrincipalArn (for {@link Kind#SERVICE} and {@link Kind#OTHER}: the best
     *     name the trail gives)
     * @param type the CloudTrail userIdentity type
     * @param otherAccounts whether it pulled from registries of accounts other than its own
     */
    public record Puller(
            String arn,
            Kind kind,
            String type,
            long pulls,
            Instant lastPull,
            boolean otherAccounts) {}

    /** What the generated SCP does to a puller. */
    public enum Verdict {
        /** A pattern of allowlist.principals or --break-glass matches it. */
        ALLOWED,
        /** Joins the SCP's allowed principals. */
        ADDED,
        /** Still denied. */
        DENIED,
        /** An AWS service principal, which SCPs do not restrict. */
        NOT_SUBJECT;

        /** allowed, added, denied, not-subject */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** A puller, what the SCP does to it and why. */
    public record Judged(Puller puller, Verdict verdict, String why) {}

    /**
     * Judges every puller against the SCP's allowed patterns: roles join it, users too when {@code
     * users}, root and principals without a role or user ARN stay denied.
     */
    public static List<Judged> judge(
            List<Puller> pullers, List<String> allowedPatterns, boolean users) {
        List<Judged> out = new ArrayList<>();
        for (Puller p : pullers) {
            String pattern =
                    allowedPatterns.stream()
                            .filter(a -> PrincipalPatterns.arnLike(a, p.arn()))
                            .findFirst()
                            .orElse(null);
            if (p.kind() == Kind.SERVICE) {
                out.add(
                        new Judged(
                                p,
                                Verdict.NOT_SUBJECT,
                                "AWS service principal: SCPs do not restrict it"));
            } else if (pattern != null) {
                out.add(new Judged(p, Verdict.ALLOWED, "matches " + pattern));
            } else if (p.kind() == Kind.ROLE || (p.kind() == Kind.USER && users)) {
                out.add(
                        new Judged(
                                p,
                                Verdict.ADDED,
                                p.otherAccounts()
                                        ? "pulled in the window, also from other "
                                                + "accounts' registries (an SCP restricts it only if its account is in the organization)"
                                        : "pulled in the window"));
            } else {
                out.add(
                        new Judged(
                                p,
                                Verdict.DENIED,
                                switch (p.kind()) {
                                    case USER ->
                                            "IAM user (long-term keys): allowed only with --pullers-users or in allowlist.principals";
                                    case ROOT ->
                                            "root user: never added; list it in allowlist.principals if it must pull";
                                    default ->
                                            p.arn().indexOf('*') >= 0 || p.arn().indexOf('?') >= 0
                                                    ? "its recorded ARN holds * or ?, which the SCP would take for a wildcard"
                                                    : p.type()
                                                            + " principal: only roles (and users with --pullers-users) are added";
                                }));
            }
        }
        return out;
    }

    /**
     * {@value #FILE}: the window, what was read, and every puller with its pulls and what the SCP
     * does to it ({@code scp}: allowed, added, denied or not-subject, with {@code why}).
     */
    public static String report(
            ObservedPullers observed, InputEvents.Counts counts, List<Judged> judged) {
        ObjectNode doc = Json.MAPPER.createObjectNode();
        doc.putObject("window")
                .put("from", String.valueOf(observed.windowStart()))
                .put("to", String.valueOf(observed.windowEnd()))
                .put("days", observed.days());
        ObjectNode input =
                doc.putObject("input")
                        .put("files", counts.files())
                        .put("events", counts.events())
                        .put("deadLettered", counts.deadLettered());
        counts.reasons().forEach(input.putArray("deadLetterReasons")::add);
        ArrayNode list = doc.putArray("pullers");
        for (Judged j : judged) {
            list.addObject()
                    .put("principal", j.puller().arn())
                    .put("type", j.puller().type())
                    .put("pulls", j.puller().pulls())
                    .put("lastPull", j.puller().lastPull().toString())
                    .put("otherAccounts", j.puller().otherAccounts())
                    .put("scp", j.verdict().label())
                    .put("why", j.why());
        }
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final class Pulls {
        final Kind kind;
        final String type;
        final TreeMap<Long, Long> byDay = new TreeMap<>();
        long last = Long.MIN_VALUE;
        boolean otherAccounts;

        Pulls(Kind kind, String type) {
            this.kind = kind;
            this.type = type;
        }
    }

    private final int days;
    private final Map<String, Pulls> byPrincipal = new HashMap<>();
    private long newest = Long.MIN_VALUE;
    private long events;
    private long prunedBefore = Long.MIN_VALUE;

    public ObservedPullers(int days) {
        if (days < 1) {
            throw new IllegalArgumentException("days must be at least 1: " + days);
        }
        this.days = days;
    }

    /** Every event read (its time moves the window's end); pulls are counted. */
    public void accept(EcrEvent e) {
        events++;
        if (e.eventTime() > newest) {
            newest = e.eventTime();
            prune();
        }
        if (!isPull(e) || day(e.eventTime()) < firstDay()) {
            return;
        }
        Principal p = e.principal();
        Kind kind = kind(p);
        Pulls pulls = byPrincipal.computeIfAbsent(arn(p, kind), k -> new Pulls(kind, p.type()));
        pulls.byDay.merge(day(e.eventTime()), 1L, Long::sum);
        pulls.last = Math.max(pulls.last, e.eventTime());
        pulls.otherAccounts |= e.crossAccount();
    }

    /** A successful layer download call (manifest or layer URL). */
    static boolean isPull(EcrEvent e) {
        return (e.is("BatchGetImage") || e.is("GetDownloadUrlForLayer")) && !e.failed();
    }

    public long events() {
        return events;
    }

    /** Null before any event. */
    public Instant windowStart() {
        return events == 0 ? null : Instant.ofEpochMilli(firstDay() * DAY_MILLIS);
    }

    /** The newest event's time; null before any event. */
    public Instant windowEnd() {
        return events == 0 ? null : Instant.ofEpochMilli(newest);
    }

    public int days() {
        return days;
    }

    /** The principals that pulled in the window, by ARN. */
    public List<Puller> pullers() {
        List<Puller> out = new ArrayList<>();
        long first = firstDay();
        byPrincipal.forEach(
                (arn, p) -> {
                    long n =
                            p.byDay.tailMap(first).values().stream()
                                    .mapToLong(Long::longValue)
                                    .sum();
                    if (n > 0) {
                        out.add(
                                new Puller(
                                        arn,
                                        p.kind,
                                        p.type,
                                        n,
                                        Instant.ofEpochMilli(p.last),
                                        p.otherAccounts));
                    }
                });
        out.sort(Comparator.comparing(Puller::arn));
        return out;
    }

    private long firstDay() {
        return newest == Long.MIN_VALUE ? Long.MIN_VALUE : day(newest) - days;
    }

    private static long day(long millis) {
        return Math.floorDiv(millis, DAY_MILLIS);
    }

    /** Drops the days before the window, once per day the window moves. */
    private void prune() {
        long first = firstDay();
        if (first > prunedBefore) {
            byPrincipal
                    .values()
                    .removeIf(
                            p -> {
                                p.byDay.headMap(first).clear();
                                return p.byDay.isEmpty();
                            });
            prunedBefore = first;
        }
    }

    static Kind kind(Principal p) {
        return switch (p.type()) {
            case Principal.TYPE_ASSUMED_ROLE -> iam(p.arn(), "role") ? Kind.ROLE : Kind.OTHER;
            case Principal.TYPE_IAM_USER -> userArn(p) != null ? Kind.USER : Kind.OTHER;
            case Principal.TYPE_ROOT -> Kind.ROOT;
            case Principal.TYPE_AWS_SERVICE -> Kind.SERVICE;
            default -> Kind.OTHER;
        };
    }

    private static String arn(Principal p, Kind kind) {
        return kind == Kind.USER ? userArn(p) : p.arn();
    }

    private static boolean iam(String arn, String kind) {
        Matcher m = IAM_ARN.matcher(arn);
        return m.matches() && m.group(3).equals(kind);
    }

    /**
     * The user's IAM ARN: as recorded, or from account and name when the record's is not one; else
     * null.
     */
    private static String userArn(Principal p) {
        if (iam(p.arn(), "user")) {
            return p.arn();
        }
        String partition = p.arn().startsWith("arn:") ? p.arn().split(":", 3)[1] : "aws";
        String built = "arn:" + partition + ":iam::" + p.accountId() + ":user/" + p.name();
        return p.accountId() != null
                        && p.name() != null
                        && !p.name().equals("unknown")
                        && iam(built, "user")
                ? built
                : null;
    }
}
