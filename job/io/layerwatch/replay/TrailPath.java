package io.layerwatch.replay;

import io.layerwatch.pipeline.InputScope;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a file's location says about it before it is opened, from the CloudTrail S3 layout {@code
 * AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/} and the file name {@code
 * ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz}; the name wins where both say something.
 * Works on local paths, S3 keys and key prefixes alike.
 *
 * @param account the account id, or null
 * @param region the region, or null
 * @param trailType {@code CloudTrail}, {@code CloudTrail-Digest}, {@code CloudTrail-Insight}, or
 *     null
 * @param deliveredAt the delivery stamp of the file name (epoch ms), or {@link Long#MIN_VALUE}
 * @param regionPrefix the location up to and including {@code REGION/} (where the day folders are),
 *     or null
 * @param day the {@code YYYY/MM/DD} folder's date, or null
 */
record TrailPath(
        String account,
        String region,
        String trailType,
        long deliveredAt,
        String regionPrefix,
        LocalDate day) {

    static final String EVENT_LOGS = "CloudTrail";

    /**
     * CloudTrail delivers within minutes; a file may hold records up to this long before its stamp.
     */
    static final long DELIVERY_SLACK_MILLIS = 3_600_000L;

    /** Any name with a delivery stamp: {@code _YYYYMMDDTHHmmZ_}. */
    private static final Pattern STAMP = Pattern.compile("_(\\d{8}T\\d{4})Z_");

    private static final Pattern NAME =
            Pattern.compile(
                    "^(\\d{12})_(CloudTrail(?:-[A-Za-z]+)?)_([a-z]{2}(?:-[a-z]+)+-\\d+)_\\d{8}T\\d{4}Z_");
    private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
    private static final DateTimeFormatter STAMP_FORMAT =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmm");
    private static final DateTimeFormatter DAY_FOLDERS = DateTimeFormatter.ofPattern("yyyy/MM/dd/");

    static TrailPath of(String location) {
        String path = location.replace('\\', '/');
        boolean folder = path.endsWith("/");
        List<String> segments = Arrays.asList(path.split("/"));
        String name = folder || segments.isEmpty() ? "" : segments.get(segments.size() - 1);
        int dirs = folder ? segments.size() : segments.size() - 1; // segments before the file name
        String account = null;
        String trailType = null;
        String region = null;
        String regionPrefix = null;
        LocalDate day = null;
        int at = segments.lastIndexOf("AWSLogs");
        if (at >= 0 && at < dirs) {
            int i = at + 1;
            if (i < dirs && segments.get(i).startsWith("o-")) {
                i++; // an organization trail
            }
            if (i < dirs && ACCOUNT.matcher(segments.get(i)).matches()) {
                account = segments.get(i);
                trailType = i + 1 < dirs ? segments.get(i + 1) : null;
                region = i + 2 < dirs ? segments.get(i + 2) : null;
                if (region != null) {
                    regionPrefix = String.join("/", segments.subList(0, i + 3)) + "/";
                    day = day(segments.subList(i + 3, dirs));
                }
            }
        }
        Matcher n = NAME.matcher(name);
        if (n.find()) {
            account = n.group(1);
            trailType = n.group(2);
            region = n.group(3);
        }
        return new TrailPath(account, region, trailType, stamp(name), regionPrefix, day);
    }

    /** True unless the layout says this is a digest or Insights file (no API calls in either). */
    boolean eventLog() {
        return trailType == null || EVENT_LOGS.equals(trailType);
    }

    /** The day folders of {@code day} below a region prefix: {@code YYYY/MM/DD/}. */
    static String dayFolders(LocalDate day) {
        return DAY_FOLDERS.format(day);
    }

    private static LocalDate day(List<String> dateSegments) {
        if (dateSegments.size() < 3) {
            return null;
        }
        try {
            return LocalDate.parse(String.join("/", dateSegments.subList(0, 3)) + "/", DAY_FOLDERS);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static long stamp(String name) {
        Matcher m = STAMP.matcher(name);
        if (!m.find()) {
            return Long.MIN_VALUE;
        }
        try {
            return LocalDateTime.parse(m.group(1), STAMP_FORMAT)
                    .toInstant(ZoneOffset.UTC)
                    .toEpochMilli();
        } catch (RuntimeException e) {
            return Long.MIN_VALUE;
        }
    }

    /**
     * False for a digest or Insights folder or file, or one of another account or region than the
     * scope's.
     */
    boolean folderIn(InputScope scope) {
        return eventLog() && scope.keepsAccount(account) && scope.keepsRegion(region);
    }

    /**
     * False when the location alone rules the file out of {@code scope}: a digest or Insights file,
     * another account or region, delivered before its start or more than the delivery slack after
     * its end.
     */
    boolean in(InputScope scope) {
        if (!folderIn(scope)) {
            return false;
        }
        if (deliveredAt == Long.MIN_VALUE) {
            return true;
        }
        return (scope.from() == null || deliveredAt >= scope.from().toEpochMilli())
                && (scope.to() == null
                        || deliveredAt - DELIVERY_SLACK_MILLIS <= scope.to().toEpochMilli());
    }

    /**
     * The first day folder of the layout that can hold files in the scope's range (null:
     * unbounded).
     */
    static LocalDate firstDay(InputScope scope) {
        return scope.from() == null ? null : LocalDate.ofInstant(scope.from(), ZoneOffset.UTC);
    }

    /**
     * The last day folder of the layout that can hold files in the scope's range (null: unbounded).
     */
    static LocalDate lastDay(InputScope scope) {
        return scope.to() == null
                ? null
                : LocalDate.ofInstant(scope.to().plusMillis(DELIVERY_SLACK_MILLIS), ZoneOffset.UTC);
    }
}
