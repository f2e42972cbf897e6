package io.layerwatch.generate;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A generated trail, produced five minutes at a time: only the current interval's records are held
 * (plus the few pending attack records), so any number of records streams in bounded memory.
 * Iterates the files in delivery order; {@link #labels()} is known from the start.
 */
public final class Trail implements Iterator<LogFile> {

    /** One record with its time and destination, before it is filed. */
    @SuppressWarnings("ArrayRecordComponent") // never compared
    record Timed(long time, LogFile.Kind kind, String account, String region, byte[] bytes) {}

    /** A habit's first pull in the learning phase. */
    private record FirstPull(Organization.Pull pull, long time) {}

    /** What was generated so far. */
    public record Stats(long records, long ecrRecords, long scanEvents, long files) {}

    private static final long INTERVAL = GeneratorOptions.FILE_INTERVAL.toMillis();

    /**
     * Files are delivered this long after their interval ends (CloudTrail: about 5 minutes, up to
     * 15).
     */
    private static final long DELIVERY_DELAY = 5 * 60_000L;

    /**
     * Intervals between two sweeps of the container scanner (six hours; the first three hours in).
     */
    private static final int SCANNER_EVERY = 72;

    private final GeneratorOptions options;
    private final long start;
    private final long end;
    private final int intervals;
    private final double totalWeight;
    private final Organization org;
    private final List<Label> labels = new ArrayList<>();
    private final PriorityQueue<Timed> pending =
            new PriorityQueue<>(Comparator.comparingLong(Timed::time));
    private final Map<Integer, List<FirstPull>> firstPulls = new HashMap<>();
    private final SplittableRandom rng;
    private final SplittableRandom fileRng;
    private final Benign benign;
    private final OtherServices other;
    private final Ecr ecr;
    private final Buckets buckets = new Buckets();
    private final ArrayDeque<LogFile> ready = new ArrayDeque<>();
    private final long benignRecords;
    private long attackEcr;
    private long otherEmitted;
    private double weightSoFar;
    private int next;
    private long records;
    private long scans;
    private long files;

    Trail(GeneratorOptions options) {
        this.options = options;
        this.start = options.start().toEpochMilli();
        this.end = options.end().toEpochMilli();
        this.intervals = (int) ((end - start + INTERVAL - 1) / INTERVAL);
        double w = 0;
        for (int i = 0; i < intervals; i++) {
            w += weight(i);
        }
        this.totalWeight = w;
        long seed = options.seed();
        this.org =
                new Organization(
                        new SplittableRandom(Ids.hash("population", seed, 0)), ecrPerDay(options));
        long attackRecords = plan(seed);
        this.benignRecords = Math.max(0, options.events() - attackRecords);
        planFirstPulls(new SplittableRandom(Ids.hash("learning", seed, 0)));
        this.rng = new SplittableRandom(Ids.hash("benign", seed, 0));
        this.fileRng = new SplittableRandom(Ids.hash("files", seed, 0));
        RecordWriter writer = new RecordWriter(rng);
        this.ecr = new Ecr(writer, buckets);
        this.benign = new Benign(org, ecr, rng);
        this.other = new OtherServices(writer, org);
    }

    /** The injected scenarios, by start time. */
    public List<Label> labels() {
        return List.copyOf(labels);
    }

    /**
     * The generated organization's trust settings as a rules file (see {@link Generator#RULES}).
     */
    public String rulesYaml() {
        return Organization.rulesYaml(options.learningPhase());
    }

    /** Counts so far; complete once the last file has been taken. */
    public Stats stats() {
        return new Stats(records, ecr.emitted + attackEcr, scans, files);
    }

    @Override
    public boolean hasNext() {
        while (ready.isEmpty() && next < intervals) {
            interval(next++);
        }
        return !ready.isEmpty();
    }

    @Override
    public LogFile next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return ready.poll();
    }

    /**
     * Every record (CloudTrail record or EventBridge event, one JSON object each) in delivery
     * order.
     */
    public Iterator<byte[]> records() {
        return new Iterator<>() {
            private Iterator<byte[]> current = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && Trail.this.hasNext()) {
                    current = Trail.this.next().records().iterator();
                }
                return current.hasNext();
            }

            @Override
            public byte[] next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return current.next();
            }
        };
    }

    /** Renders every injection into the pending queue; returns how many records they hold. */
    private long plan(long seed) {
        Attacks attacks = new Attacks(org);
        long lo = start + options.learningPhase().toMillis() + 10 * 60_000L;
        long count = 0;
        for (Scenario s : Scenario.values()) {
            if (!options.scenarios().contains(s)) {
                continue;
            }
            int n =
                    s == Scenario.UNASSESSED_REGISTRY
                            ? Math.min(options.injections(), Attacks.unassessedRegistries())
                            : options.injections();
            long hi = end - s.maxDuration().toMillis() - 15 * 60_000L;
            for (int k = 1; k <= n; k++) {
                SplittableRandom r = new SplittableRandom(Ids.hash(s.id(), seed, k));
                long t0 = (lo + r.nextLong(Math.max(1, hi - lo))) / 1000 * 1000;
                Attacks.Injection injection = attacks.inject(s, k, t0, r);
                labels.add(injection.label());
                pending.addAll(injection.events());
                count += injection.events().size();
                attackEcr += injection.ecrRecords();
            }
        }
        labels.sort(
                Comparator.comparing(Label::start)
                        .thenComparing(Label::scenario)
                        .thenComparing(Label::principal));
        return count;
    }

    /**
     * Each habit's first pull, at a random time in the first three quarters of the learning phase.
     */
    private void planFirstPulls(SplittableRandom r) {
        long phase = options.learningPhase().toMillis() * 3 / 4;
        for (Organization.Pull p : org.pulls) {
            long t = start + r.nextLong(phase);
            firstPulls
                    .computeIfAbsent((int) ((t - start) / INTERVAL), k -> new ArrayList<>())
                    .add(new FirstPull(p, t));
        }
    }

    private static double ecrPerDay(GeneratorOptions o) {
        double days = o.span().toMillis() / 86_400_000.0;
        return Math.max(1000, o.events() * o.ecrShare() / days);
    }

    /** More traffic in the working day (UTC afternoon) than at night. */
    private double weight(int i) {
        double hour = ((start + i * INTERVAL) % 86_400_000L) / 3_600_000.0;
        return 1 + 0.5 * Math.sin(2 * Math.PI * (hour - 8) / 24);
    }

    private void interval(int i) {
        long s = start + i * INTERVAL;
        long e = Math.min(s + INTERVAL, end);
        benign.newInterval();
        for (FirstPull first : firstPulls.getOrDefault(i, List.of())) {
            benign.firstPull(first.pull(), first.time());
        }
        if (i % SCANNER_EVERY == SCANNER_EVERY / 2) {
            benign.scannerSweep(s + rng.nextLong(INTERVAL / 2));
        }
        weightSoFar += weight(i);
        long due = Math.round(benignRecords * weightSoFar / totalWeight);
        long ecrDue = Math.round(due * options.ecrShare());
        // Activities start early enough that their records (a minute at most) fall before the
        // file's delivery.
        long window = Math.max(1, e - s - 30_000);
        while (ecr.emitted + ecr.others
                < ecrDue) { // with the workloads' own calls to other services
            benign.activity(s + rng.nextLong(window));
        }
        while (otherEmitted < due - ecrDue) {
            other.one(s + rng.nextLong(e - s), buckets);
            otherEmitted++;
        }
        boolean last = i == intervals - 1;
        while (!pending.isEmpty() && (last || pending.peek().time() < e)) {
            Timed t = pending.poll();
            buckets.add(t.kind(), t.account(), t.region(), t.bytes());
        }
        buckets.file(Instant.ofEpochMilli((e + DELIVERY_DELAY) / 60_000L * 60_000L));
    }

    /** The current interval's records by file kind, account and region. */
    private final class Buckets implements Ecr.Emitter {
        private final TreeMap<String, List<byte[]>> byKey = new TreeMap<>();

        @Override
        public void cloudTrail(long time, String account, String region, byte[] record) {
            add(LogFile.Kind.CLOUDTRAIL, account, region, record);
        }

        @Override
        public void scanEvent(long time, String account, String region, byte[] event) {
            add(LogFile.Kind.SCAN_EVENTS, account, region, event);
        }

        void add(LogFile.Kind kind, String account, String region, byte[] bytes) {
            byKey.computeIfAbsent(
                            kind.name() + "|" + account + "|" + region, k -> new ArrayList<>())
                    .add(bytes);
            records++;
            if (kind == LogFile.Kind.SCAN_EVENTS) {
                scans++;
            }
        }

        /** Shuffles each bucket (CloudTrail files are not in time order) and cuts it into files. */
        void file(Instant delivered) {
            for (Map.Entry<String, List<byte[]>> entry : byKey.entrySet()) {
                String[] key = entry.getKey().split("\\|", -1);
                LogFile.Kind kind = LogFile.Kind.valueOf(key[0]);
                List<byte[]> all = entry.getValue();
                Attacks.shuffle(all, fileRng);
                for (int from = 0; from < all.size(); from += options.maxRecordsPerFile()) {
                    List<byte[]> part =
                            all.subList(
                                    from, Math.min(all.size(), from + options.maxRecordsPerFile()));
                    ready.add(
                            new LogFile(
                                    kind,
                                    key[1],
                                    key[2],
                                    delivered,
                                    Ids.alnum(fileRng, 16),
                                    List.copyOf(part)));
                    files++;
                }
            }
            byKey.clear();
        }
    }
}
