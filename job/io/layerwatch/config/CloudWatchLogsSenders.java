package io.layerwatch.config;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Whose CloudWatch Logs subscription messages the decoder accepts: the {@code owner} accounts and
 * the {@code logGroup} names (globs) of {@code input.cloudWatchLogs}, or of the runtime properties
 * that override them. An empty list accepts any value. CloudWatch Logs itself writes {@code owner}
 * and {@code logGroup} into each message, so a sender cannot forge them; a log event's text it can.
 */
public final class CloudWatchLogsSenders implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String OWNERS_KEY = "input.cloudWatchLogs.owners";
    public static final String LOG_GROUPS_KEY = "input.cloudWatchLogs.logGroups";

    /** Any owner, any log group (a single account, or a stream only its own account writes to). */
    public static final CloudWatchLogsSenders ANY =
            new CloudWatchLogsSenders(List.of(), OWNERS_KEY, List.of(), LOG_GROUPS_KEY);

    private final List<String> owners;
    private final List<Glob> logGroups;

    /** The settings the lists came from, named in every rejection. */
    private final String ownersKey;

    private final String logGroupsKey;

    /**
     * @param owners 12-digit account ids (validated by the caller); empty: any
     * @param logGroups log group names, {@code *} and {@code ?} as in {@link Glob}; empty: any
     */
    public CloudWatchLogsSenders(
            List<String> owners, String ownersKey, List<String> logGroups, String logGroupsKey) {
        this.owners = List.copyOf(owners);
        this.ownersKey = ownersKey;
        List<Glob> globs = new ArrayList<>();
        logGroups.forEach(g -> globs.add(new Glob(g)));
        this.logGroups = List.copyOf(globs);
        this.logGroupsKey = logGroupsKey;
    }

    /** A copy with other owners, set by {@code key}; null keeps these. */
    public CloudWatchLogsSenders withOwners(List<String> list, String key) {
        return list == null
                ? this
                : new CloudWatchLogsSenders(list, key, logGroups(), logGroupsKey);
    }

    /** A copy with other log groups, set by {@code key}; null keeps these. */
    public CloudWatchLogsSenders withLogGroups(List<String> list, String key) {
        return list == null ? this : new CloudWatchLogsSenders(owners, ownersKey, list, key);
    }

    public List<String> owners() {
        return owners;
    }

    public List<String> logGroups() {
        return logGroups.stream().map(Glob::toString).toList();
    }

    /** True when either list is set. */
    public boolean restricted() {
        return !owners.isEmpty() || !logGroups.isEmpty();
    }

    /**
     * Null when a message from {@code owner}'s {@code logGroup} is accepted; else why not, naming
     * the key to change.
     */
    public String rejection(String owner, String logGroup) {
        boolean ownerOk = owners.isEmpty() || owners.contains(owner);
        boolean groupOk =
                logGroups.isEmpty() || logGroups.stream().anyMatch(g -> g.matches(logGroup));
        if (ownerOk && groupOk) {
            return null;
        }
        StringBuilder why =
                new StringBuilder("CloudWatch Logs message from owner ")
                        .append(shown(owner))
                        .append(", log group ")
                        .append(shown(logGroup))
                        .append(": ");
        if (!ownerOk) {
            why.append("owner not in ").append(ownersKey);
        }
        if (!groupOk) {
            why.append(ownerOk ? "" : "; ").append("log group not in ").append(logGroupsKey);
        }
        return why.toString();
    }

    /** A value from the message, quoted, cut to 256 characters, control characters as '?'. */
    public static String shown(String value) {
        if (value == null) {
            return "(none)";
        }
        String cut = value.length() > 256 ? value.substring(0, 256) + "..." : value;
        return "'" + cut.replaceAll("\\p{Cntrl}", "?") + "'";
    }

    /** The settings as a log line shows them. */
    @Override
    public String toString() {
        return restricted()
                ? "owners "
                        + (owners.isEmpty() ? "(any)" : owners)
                        + " ("
                        + ownersKey
                        + "), log groups "
                        + (logGroups.isEmpty() ? "(any)" : logGroups())
                        + " ("
                        + logGroupsKey
                        + ")"
                : "any owner and log group";
    }
}
