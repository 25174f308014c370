package dev.throng.bench.plan;

/**
 * An inclusive range of local TCP ports, such as {@code 1024-65535}.
 *
 * @param first the lowest port
 * @param last the highest port
 */
public record PortRange(int first, int last) {

    public PortRange {
        if (first < 1 || last > 65535 || last < first) {
            throw new IllegalArgumentException(
                    "port range must lie within 1-65535 and not run backwards, got " + first + "-" + last);
        }
    }

    /** Parses {@code first-last} or a single port. */
    public static PortRange parse(String spec) {
        String s = spec.trim();
        int dash = s.indexOf('-');
        try {
            if (dash < 0) {
                int p = Integer.parseInt(s);
                return new PortRange(p, p);
            }
            return new PortRange(
                    Integer.parseInt(s.substring(0, dash).trim()),
                    Integer.parseInt(s.substring(dash + 1).trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a port range: '" + spec + "' (use e.g. 1024-65535)");
        }
    }

    public int size() {
        return last - first + 1;
    }

    /**
     * Slice {@code index} of {@code count} near-equal, disjoint, contiguous slices that together cover this range.
     * Slice sizes differ by at most one port.
     */
    public PortRange slice(int index, int count) {
        if (count < 1 || index < 0 || index >= count) {
            throw new IllegalArgumentException("slice " + index + " of " + count);
        }
        if (count > size()) {
            throw new IllegalArgumentException("cannot cut " + size() + " ports into " + count + " slices");
        }
        long n = size();
        int from = first + (int) (n * index / count);
        int to = first + (int) (n * (index + 1) / count) - 1;
        return new PortRange(from, to);
    }

    @Override
    public String toString() {
        return first + "-" + last;
    }
}
