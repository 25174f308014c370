package dev.throng.bench.plan;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Parses {@code --source}: local IPv4 addresses the connections are bound to, as a comma list whose items are single
 * addresses or inclusive ranges: {@code 127.0.0.2-127.0.0.40}, {@code 127.0.0.2,127.0.0.3},
 * {@code 127.0.0.2-127.0.0.9,127.0.1.1}. Literal addresses only (no host names), so parsing never touches DNS.
 */
public final class SourceAddresses {

    /** More than this many addresses is certainly a typo (a /16 gives 4 billion ports). */
    static final int MAX_ADDRESSES = 4096;

    private SourceAddresses() {}

    /** The addresses {@code spec} names, in order, without duplicates. */
    public static List<String> parse(String spec) {
        Set<String> out = new LinkedHashSet<>();
        for (String item : spec.split(",")) {
            String s = item.trim();
            if (s.isEmpty()) {
                throw new IllegalArgumentException("empty item in source list '" + spec + "'");
            }
            int dash = s.indexOf('-');
            if (dash < 0) {
                out.add(format(toInt(s)));
                continue;
            }
            long first = toInt(s.substring(0, dash).trim()) & 0xFFFF_FFFFL;
            long last = toInt(s.substring(dash + 1).trim()) & 0xFFFF_FFFFL;
            if (last < first) {
                throw new IllegalArgumentException("source range runs backwards: '" + s + "'");
            }
            if (last - first + 1 > MAX_ADDRESSES) {
                throw new IllegalArgumentException(
                        "source range '" + s + "' has more than " + MAX_ADDRESSES + " addresses");
            }
            for (long a = first; a <= last; a++) {
                out.add(format((int) a));
            }
        }
        if (out.size() > MAX_ADDRESSES) {
            throw new IllegalArgumentException("more than " + MAX_ADDRESSES + " source addresses");
        }
        return new ArrayList<>(out);
    }

    private static int toInt(String literal) {
        String[] parts = literal.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: '" + literal + "'");
        }
        int v = 0;
        for (String p : parts) {
            int octet;
            try {
                octet = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an IPv4 address: '" + literal + "'");
            }
            if (octet < 0 || octet > 255 || p.isEmpty() || p.length() > 3) {
                throw new IllegalArgumentException("not an IPv4 address: '" + literal + "'");
            }
            v = (v << 8) | octet;
        }
        return v;
    }

    private static String format(int v) {
        return ((v >>> 24) & 0xFF) + "." + ((v >>> 16) & 0xFF) + "." + ((v >>> 8) & 0xFF) + "." + (v & 0xFF);
    }

    /** The address as an {@link InetAddress}; never a DNS lookup, since {@code literal} came from {@link #parse}. */
    public static InetAddress toInet(String literal) {
        int v = toInt(literal);
        byte[] b = {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
        try {
            return Inet4Address.getByAddress(literal, b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // only thrown for a wrong array length
        }
    }
}
