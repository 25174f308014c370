package dev.throng.bench.plan;

/**
 * {@code --max-failures}: how many connections may fail or be lost before the run counts as failed, as a count
 * ({@code 10}) or a percentage of the connections attempted ({@code 0.5%}).
 *
 * @param count the allowed count when {@code percent} is false
 * @param percentage the allowed percentage when {@code percent} is true
 * @param percent which of the two applies
 */
public record FailureBudget(long count, double percentage, boolean percent) {

    /** Nothing may fail: the default, because a benchmark that silently loses connections measures the wrong thing. */
    public static final FailureBudget NONE = new FailureBudget(0, 0, false);

    public FailureBudget {
        if (count < 0 || percentage < 0 || percentage > 100 || Double.isNaN(percentage)) {
            throw new IllegalArgumentException("max failures must be a count >= 0 or a percentage 0-100%");
        }
    }

    public static FailureBudget parse(String spec) {
        String s = spec.trim();
        try {
            if (s.endsWith("%")) {
                return new FailureBudget(
                        0, Double.parseDouble(s.substring(0, s.length() - 1).trim()), true);
            }
            return new FailureBudget(Long.parseLong(s), 0, false);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "not a failure budget: '" + spec + "' (use a count like 10 or a " + "percentage like 0.5%)");
        }
    }

    /** Whether {@code failures} out of {@code attempted} connections stays within the budget. */
    public boolean allows(long failures, long attempted) {
        if (!percent) {
            return failures <= count;
        }
        return failures * 100.0 <= percentage * Math.max(attempted, 0);
    }

    @Override
    public String toString() {
        return percent ? stripZeros(percentage) + "%" : Long.toString(count);
    }

    private static String stripZeros(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
