package io.parkway.bench;

/**
 * A log-linear histogram of non-negative longs (microseconds here): exact below 128, then 64 sub-buckets per power of
 * two (at most 1.6% relative error). Not thread-safe: one per allocation, merged at the end.
 */
public final class Histogram {
    private static final int SUB_BITS = 6;
    private static final int SIZE = 64 * 64 + 128;

    private final long[] counts = new long[SIZE];
    private long total;
    private long max;
    private double sum;

    static int index(long v) {
        if (v < 128) {
            return (int) Math.max(v, 0);
        }
        int e = 63 - Long.numberOfLeadingZeros(v);
        int shift = e - SUB_BITS;
        return (shift << SUB_BITS) + (int) (v >>> shift);
    }

    static long lowerBound(int i) {
        if (i < 128) {
            return i;
        }
        int shift = (i >>> SUB_BITS) - 1;
        long top = (i & 63) + 64;
        return top << shift;
    }

    public void record(long v) {
        counts[index(v)]++;
        total++;
        sum += v;
        if (v > max) {
            max = v;
        }
    }

    public void clear() {
        java.util.Arrays.fill(counts, 0);
        total = 0;
        max = 0;
        sum = 0;
    }

    public void add(Histogram other) {
        for (int i = 0; i < SIZE; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        sum += other.sum;
        max = Math.max(max, other.max);
    }

    public long count() {
        return total;
    }

    public long max() {
        return max;
    }

    public double mean() {
        return total == 0 ? 0 : sum / total;
    }

    /** The value at quantile {@code q} (0..1), as the lower bound of its bucket; 0 when empty. */
    public long quantile(double q) {
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < SIZE; i++) {
            seen += counts[i];
            if (seen >= rank && counts[i] > 0) {
                return Math.min(lowerBound(i), max);
            }
        }
        return max;
    }
}
