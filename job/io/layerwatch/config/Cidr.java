package io.layerwatch.config;

import java.io.Serializable;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** An IPv4 or IPv6 CIDR block. Parses literals only: never a DNS lookup. */
public final class Cidr implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String text;
    private final byte[] network;
    private final int prefix;

    private Cidr(String text, byte[] network, int prefix) {
        this.text = text;
        this.network = network;
        this.prefix = prefix;
    }

    /**
     * Parses "10.0.0.0/8", "2001:db8::/32" or a single address; throws IllegalArgumentException
     * with the problem.
     */
    public static Cidr parse(String text) {
        String s = text.trim();
        int slash = s.indexOf('/');
        byte[] addr = parseAddress(slash < 0 ? s : s.substring(0, slash));
        if (addr == null) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not an IPv4/IPv6 address or CIDR block");
        }
        int bits = addr.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException(
                        "'" + text + "' has an invalid prefix length (0-" + bits + ")");
            }
        }
        return new Cidr(s, mask(addr, prefix), prefix);
    }

    public boolean contains(String ip) {
        byte[] addr = parseAddress(ip);
        return addr != null
                && addr.length == network.length
                && Arrays.equals(mask(addr, prefix), network);
    }

    /**
     * True for an IP literal (CloudTrail also puts service names such as "ecr.amazonaws.com"
     * there).
     */
    public static boolean isIpAddress(String s) {
        return parseAddress(s) != null;
    }

    static byte[] parseAddress(String s) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        if (s.indexOf(':') >= 0) {
            if (!s.matches("[0-9a-fA-F:.]+")) {
                return null;
            }
            try {
                // A string with ':' is parsed as an IPv6 literal, without name resolution.
                return InetAddress.getByName(s).getAddress();
            } catch (UnknownHostException e) {
                return null;
            }
        }
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (parts[i].isEmpty()
                    || parts[i].length() > 3
                    || !parts[i].chars().allMatch(Character::isDigit)) {
                return null;
            }
            int v = Integer.parseInt(parts[i]);
            if (v > 255) {
                return null;
            }
            out[i] = (byte) v;
        }
        return out;
    }

    private static byte[] mask(byte[] addr, int prefix) {
        byte[] out = addr.clone();
        for (int i = 0; i < out.length; i++) {
            int bitsHere = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] = (byte) (out[i] & (0xff << (8 - bitsHere)));
        }
        return out;
    }

    @Override
    public String toString() {
        return text;
    }
}
