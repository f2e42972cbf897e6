package io.layerwatch.config;

/** ASFF severity labels, lowest first. */
public enum Severity {
    INFORMATIONAL,
    LOW,
    MEDIUM,
    HIGH,
    CRITICAL;

    public boolean atLeast(Severity other) {
        return compareTo(other) >= 0;
    }

    /** One level higher; CRITICAL stays CRITICAL. */
    @SuppressWarnings("EnumOrdinal") // the declared order is the severity order
    public Severity raised() {
        return this == CRITICAL ? CRITICAL : values()[ordinal() + 1];
    }

    public static Severity max(Severity a, Severity b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
