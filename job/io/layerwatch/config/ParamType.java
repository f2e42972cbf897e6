package io.layerwatch.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The value types a config key can hold; each parses a YAML node or explains what is wrong. */
public enum ParamType {
    BOOLEAN("true or false"),
    COUNT("a whole number >= 0"),
    DURATION("a duration such as 30s, 15m, 2h, 7d or PT15M"),
    DURATION_OR_ZERO("a duration such as 30s, 15m, 2h, 7d or PT15M, or 0 for none"),
    SEVERITY("one of INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL"),
    STRING("a string"),
    STRING_MAP("a mapping of names to strings"),
    STRING_LIST("a list of strings"),
    TAG_GLOB_LIST("a list of image tag globs (* any run, ? one character, [0-9] one of a class)"),
    CIDR_LIST("a list of CIDR blocks such as 10.0.0.0/8"),
    ACCOUNT_LIST("a list of 12-digit AWS account ids"),
    LOG_GROUP_LIST(
            "a list of CloudWatch Logs log group names (letters, digits, . - _ / #; * and ? as globs)"),
    ORGANIZATION_ID("an organization id such as o-a1b2c3d4e5"),
    BYTES("a size from 1MiB to 1GiB such as 256MiB, 64MB or 1048576 (bytes)");

    /** The range of {@link #BYTES}: one Java array holds a payload. */
    static final long MIN_BYTES = 1L << 20;

    static final long MAX_BYTES = 1L << 30;

    /** A log group name (CloudWatch Logs: 1-512 of [.-_/#A-Za-z0-9]) with glob characters. */
    private static final Pattern LOG_GROUP = Pattern.compile("[.\\-_/#A-Za-z0-9*?]{1,512}");

    private static final Pattern SIZE = Pattern.compile("(\\d{1,10})\\s*(b|kb|kib|mb|mib|gb|gib)?");
    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
    private final String expected;

    ParamType(String expected) {
        this.expected = expected;
    }

    public String expected() {
        return expected;
    }

    /** Parses a node; throws IllegalArgumentException whose message states the problem. */
    public Serializable parse(JsonNode node) {
        switch (this) {
            case BOOLEAN -> {
                if (!node.isBoolean()) {
                    throw bad(node);
                }
                return node.booleanValue();
            }
            case COUNT -> {
                if (!node.isIntegralNumber()
                        || node.asLong() < 0
                        || node.asLong() > Integer.MAX_VALUE) {
                    throw bad(node);
                }
                return node.intValue();
            }
            case DURATION -> {
                return parseDuration(node);
            }
            case DURATION_OR_ZERO -> {
                if ((node.isIntegralNumber() && node.asLong() == 0)
                        || (node.isTextual() && node.asText().trim().equals("0"))) {
                    return Duration.ZERO;
                }
                return parseDuration(node);
            }
            case SEVERITY -> {
                try {
                    if (!node.isTextual()) {
                        throw bad(node);
                    }
                    return Severity.valueOf(node.asText().trim().toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw bad(node);
                }
            }
            case STRING -> {
                if (node.isNull()) {
                    return null;
                }
                if (!node.isTextual() && !node.isNumber()) {
                    throw bad(node);
                }
                return node.asText();
            }
            case STRING_MAP -> {
                if (!node.isObject()) {
                    throw bad(node);
                }
                LinkedHashMap<String, String> map = new LinkedHashMap<>();
                node.fields()
                        .forEachRemaining(
                                f -> {
                                    if (!f.getValue().isValueNode() || f.getValue().isNull()) {
                                        throw new IllegalArgumentException(
                                                "'" + f.getKey() + "' is not a string");
                                    }
                                    map.put(f.getKey(), f.getValue().asText());
                                });
                return map;
            }
            case BYTES -> {
                return parseBytes(node);
            }
            case ORGANIZATION_ID -> {
                if (node.isNull()) {
                    return null;
                }
                if (!node.isTextual() || !node.asText().matches("o-[a-z0-9]{10,32}")) {
                    throw bad(node);
                }
                return node.asText();
            }
            default -> {
                return parseList(node);
            }
        }
    }

    @SuppressWarnings("NonApiType") // the list is stored as a Serializable value
    private ArrayList<Serializable> parseList(JsonNode node) {
        if (node.isNull()) {
            return new ArrayList<>();
        }
        if (!node.isArray()) {
            throw bad(node);
        }
        ArrayList<Serializable> out = new ArrayList<>();
        int i = 0;
        for (JsonNode item : node) {
            if (!item.isTextual() && !(this == ACCOUNT_LIST && item.isIntegralNumber())) {
                throw new IllegalArgumentException(
                        "item " + i + " is " + describe(item) + ", expected " + expected);
            }
            String s = item.asText().trim();
            switch (this) {
                case CIDR_LIST -> {
                    try {
                        out.add(Cidr.parse(s));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("item " + i + ": " + e.getMessage());
                    }
                }
                case ACCOUNT_LIST -> {
                    if (item.isIntegralNumber()) {
                        s = String.format("%012d", item.asLong());
                    }
                    if (!s.matches("\\d{12}")) {
                        throw new IllegalArgumentException(
                                "item " + i + " '" + s + "' is not a 12-digit AWS account id");
                    }
                    out.add(s);
                }
                case LOG_GROUP_LIST -> {
                    if (!LOG_GROUP.matcher(s).matches()) {
                        throw new IllegalArgumentException(
                                "item "
                                        + i
                                        + " '"
                                        + s
                                        + "' is not a log group name"
                                        + " (1-512 of letters, digits, . - _ / #; * and ? as globs)");
                    }
                    out.add(s);
                }
                case TAG_GLOB_LIST -> {
                    try {
                        TagGlob.of(s);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("item " + i + ": " + e.getMessage());
                    }
                    out.add(s);
                }
                default -> out.add(s);
            }
            i++;
        }
        return out;
    }

    private long parseBytes(JsonNode node) {
        Matcher m =
                node.isIntegralNumber() || node.isTextual()
                        ? SIZE.matcher(node.asText().trim().toLowerCase(Locale.ROOT))
                        : null;
        if (m == null || !m.matches()) {
            throw bad(node);
        }
        String unit = m.group(2) == null ? "b" : m.group(2);
        long scale =
                switch (unit) {
                    case "kb" -> 1_000L;
                    case "kib" -> 1L << 10;
                    case "mb" -> 1_000_000L;
                    case "mib" -> 1L << 20;
                    case "gb" -> 1_000_000_000L;
                    case "gib" -> 1L << 30;
                    default -> 1L;
                };
        long bytes = Long.parseLong(m.group(1)) * scale;
        if (bytes < MIN_BYTES || bytes > MAX_BYTES) {
            throw new IllegalArgumentException(
                    describe(node) + " (" + bytes + " bytes) is not between 1MiB and 1GiB");
        }
        return bytes;
    }

    private Duration parseDuration(JsonNode node) {
        if (!node.isTextual()) {
            throw bad(node);
        }
        String s = node.asText().trim();
        Matcher m = SIMPLE_DURATION.matcher(s.toLowerCase(Locale.ROOT));
        Duration d;
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            d =
                    switch (m.group(2)) {
                        case "ms" -> Duration.ofMillis(n);
                        case "s" -> Duration.ofSeconds(n);
                        case "m" -> Duration.ofMinutes(n);
                        case "h" -> Duration.ofHours(n);
                        default -> Duration.ofDays(n);
                    };
        } else {
            try {
                d = Duration.parse(s);
            } catch (RuntimeException e) {
                throw bad(node);
            }
        }
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("'" + s + "' must be a positive duration");
        }
        return d;
    }

    private IllegalArgumentException bad(JsonNode node) {
        return new IllegalArgumentException(describe(node) + " is not " + expected);
    }

    static String describe(JsonNode node) {
        if (node.isTextual()) {
            return "'" + node.asText() + "'";
        }
        if (node.isContainerNode()) {
            return node.isArray() ? "a list" : "a mapping";
        }
        return node.isNull() ? "empty" : node.toString();
    }

    /** Shown in docs and `rules` output. */
    public static String format(Object value) {
        if (value instanceof Duration d) {
            if (d.isZero()) {
                return "0";
            }
            if (d.toMillis() % 86_400_000L == 0) {
                return d.toDays() + "d";
            } else if (d.toMillis() % 3_600_000L == 0) {
                return d.toHours() + "h";
            } else if (d.toMillis() % 60_000L == 0) {
                return d.toMinutes() + "m";
            }
            return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
        }
        return String.valueOf(value);
    }

    /** A parsed list's items as strings. */
    public static List<String> strings(Object list) {
        List<String> out = new ArrayList<>();
        for (Object o : (List<?>) list) {
            out.add(o.toString());
        }
        return out;
    }
}
