package dev.throng.bench.protocol;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/** Creates, ships and merges the run's HdrHistograms. All values are microseconds. */
public final class Histograms {

    /** One hour: longer than any timeout or interval the bench uses; larger values are clamped to it. */
    public static final long HIGHEST_MICROS = 3_600_000_000L;

    private Histograms() {}

    /** A histogram with 3 significant digits (0.1% resolution) that grows as values arrive. */
    public static Histogram create() {
        Histogram h = new Histogram(3);
        h.setAutoResize(true);
        return h;
    }

    /** Records {@code nanos} as microseconds, clamped to [0, {@link #HIGHEST_MICROS}]. */
    public static void recordNanos(Histogram h, long nanos) {
        h.recordValue(Math.min(Math.max(nanos / 1000, 0), HIGHEST_MICROS));
    }

    /** The histogram compressed with {@code encodeIntoCompressedByteBuffer}, in base64. */
    public static String encode(Histogram h) {
        ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int n = h.encodeIntoCompressedByteBuffer(buf);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buf.array(), n));
    }

    /** The inverse of {@link #encode}. */
    public static Histogram decode(String base64) {
        try {
            Histogram h = Histogram.decodeFromCompressedByteBuffer(
                    ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
            h.setAutoResize(true);
            return h;
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("corrupt histogram", e);
        }
    }
}
