package io.layerwatch.generate;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.Set;

/**
 * What to generate. Build with {@link #of(long, long)} and the {@code with...} methods; invalid
 * values throw IllegalArgumentException with a message naming the {@code layerwatch generate} flag.
 *
 * @param events approximate number of records in all (CloudTrail records and scan events)
 * @param seed the same seed and options give the same bytes
 * @param scenarios the attack scenarios to inject (empty: benign traffic only)
 * @param start time of the first record
 * @param span how much time the trail covers
 * @param ecrShare fraction of the benign records that are ECR calls or scan events (1.0: ECR only)
 * @param injections how many times each scenario is injected
 * @param maxRecordsPerFile CloudTrail splits a busy five minutes into several files of at most this
 *     many records
 */
public record GeneratorOptions(
        long events,
        long seed,
        Set<Scenario> scenarios,
        Instant start,
        Duration span,
        double ecrShare,
        int injections,
        int maxRecordsPerFile) {

    public static final long MIN_EVENTS = 1_000;
    public static final Instant DEFAULT_START = Instant.parse("2026-03-02T00:00:00Z");
    public static final Duration DEFAULT_SPAN = Duration.ofDays(1);
    public static final Duration MIN_SPAN = Duration.ofHours(6);
    public static final Duration MAX_SPAN = Duration.ofDays(60);
    public static final double DEFAULT_ECR_SHARE = 0.05;
    public static final int DEFAULT_MAX_RECORDS_PER_FILE = 5_000;

    /** Each file holds this much time of records (CloudTrail delivers about every five minutes). */
    public static final Duration FILE_INTERVAL = Duration.ofMinutes(5);

    public GeneratorOptions {
        if (events < MIN_EVENTS) {
            throw new IllegalArgumentException(
                    "--events must be at least " + MIN_EVENTS + " (got " + events + ")");
        }
        if (span == null || span.compareTo(MIN_SPAN) < 0 || span.compareTo(MAX_SPAN) > 0) {
            throw new IllegalArgumentException(
                    "--span must be between 6h and 60d (got " + span + ")");
        }
        if (!(ecrShare >= 0 && ecrShare <= 1)) {
            throw new IllegalArgumentException(
                    "--ecr-share must be between 0 and 1 (got " + ecrShare + ")");
        }
        if (injections < 1) {
            throw new IllegalArgumentException(
                    "--injections must be at least 1 (got " + injections + ")");
        }
        if (maxRecordsPerFile < 1) {
            throw new IllegalArgumentException(
                    "records per file must be at least 1 (got " + maxRecordsPerFile + ")");
        }
        if (start == null) {
            throw new IllegalArgumentException("--start is required");
        }
        scenarios =
                scenarios == null || scenarios.isEmpty()
                        ? Set.of()
                        : Set.copyOf(EnumSet.copyOf(scenarios));
        start = start.truncatedTo(ChronoUnit.SECONDS);
    }

    /**
     * {@code events} records with every scenario, default start, span (1 day) and ECR share (5%).
     */
    public static GeneratorOptions of(long events, long seed) {
        return new GeneratorOptions(
                events,
                seed,
                EnumSet.allOf(Scenario.class),
                DEFAULT_START,
                DEFAULT_SPAN,
                DEFAULT_ECR_SHARE,
                defaultInjections(events),
                DEFAULT_MAX_RECORDS_PER_FILE);
    }

    /** One injection per scenario per million records, at least one, at most 20. */
    public static int defaultInjections(long events) {
        return (int) Math.max(1, Math.min(20, events / 1_000_000));
    }

    public GeneratorOptions withEvents(long n) {
        return new GeneratorOptions(
                n, seed, scenarios, start, span, ecrShare, injections, maxRecordsPerFile);
    }

    public GeneratorOptions withScenarios(Set<Scenario> s) {
        return new GeneratorOptions(
                events, seed, s, start, span, ecrShare, injections, maxRecordsPerFile);
    }

    public GeneratorOptions withStart(Instant s) {
        return new GeneratorOptions(
                events, seed, scenarios, s, span, ecrShare, injections, maxRecordsPerFile);
    }

    public GeneratorOptions withSpan(Duration s) {
        return new GeneratorOptions(
                events, seed, scenarios, start, s, ecrShare, injections, maxRecordsPerFile);
    }

    public GeneratorOptions withEcrShare(double share) {
        return new GeneratorOptions(
                events, seed, scenarios, start, span, share, injections, maxRecordsPerFile);
    }

    public GeneratorOptions withInjections(int n) {
        return new GeneratorOptions(
                events, seed, scenarios, start, span, ecrShare, n, maxRecordsPerFile);
    }

    public GeneratorOptions withMaxRecordsPerFile(int n) {
        return new GeneratorOptions(events, seed, scenarios, start, span, ecrShare, injections, n);
    }

    /**
     * The learning phase at the start of the trail (a twelfth of the span, 1h to 24h): every benign
     * puller pulls each of its repositories in it, and no scenario starts before it ends. The
     * generated rules file sets first-seen-puller's learningPeriod to it.
     */
    public Duration learningPhase() {
        Duration d = span.dividedBy(12).truncatedTo(ChronoUnit.MINUTES);
        Duration hour = Duration.ofHours(1);
        Duration day = Duration.ofHours(24);
        return d.compareTo(hour) < 0 ? hour : d.compareTo(day) > 0 ? day : d;
    }

    public Instant end() {
        return start.plus(span);
    }
}
