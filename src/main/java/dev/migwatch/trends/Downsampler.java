package dev.migwatch.trends;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reduces series to at most N points by averaging fixed-width time buckets. The buckets span the time
 * range common to all series, so lines of one chart stay aligned.
 */
public final class Downsampler {

    private Downsampler() {
    }

    public static List<Series> downsample(List<Series> series, int maxPoints) {
        if (maxPoints < 1) {
            throw new IllegalArgumentException("maxPoints must be >= 1");
        }
        long start = Long.MAX_VALUE, end = Long.MIN_VALUE;
        for (Series s : series) {
            for (Series.Point p : s.points()) {
                start = Math.min(start, p.t().toEpochMilli());
                end = Math.max(end, p.t().toEpochMilli());
            }
        }
        List<Series> out = new ArrayList<>();
        for (Series s : series) {
            out.add(s.points().size() <= maxPoints ? s : bucket(s, start, end, maxPoints));
        }
        return out;
    }

    private static Series bucket(Series s, long start, long end, int maxPoints) {
        double width = (double) (end - start + 1) / maxPoints;
        double[] sumT = new double[maxPoints];
        double[] sumV = new double[maxPoints];
        int[] count = new int[maxPoints];
        for (Series.Point p : s.points()) {
            int b = (int) Math.min(maxPoints - 1, (p.t().toEpochMilli() - start) / width);
            sumT[b] += p.t().toEpochMilli();
            sumV[b] += p.v();
            count[b] += p.n();
        }
        int[] pointsIn = new int[maxPoints];
        for (Series.Point p : s.points()) {
            pointsIn[(int) Math.min(maxPoints - 1, (p.t().toEpochMilli() - start) / width)]++;
        }
        List<Series.Point> points = new ArrayList<>();
        for (int b = 0; b < maxPoints; b++) {
            if (pointsIn[b] > 0) {
                points.add(new Series.Point(Instant.ofEpochMilli(Math.round(sumT[b] / pointsIn[b])),
                        sumV[b] / pointsIn[b], count[b]));
            }
        }
        return new Series(s.name(), points);
    }
}
