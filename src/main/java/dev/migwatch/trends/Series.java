package dev.migwatch.trends;

import java.time.Instant;
import java.util.List;

/** One named line of a chart. */
public record Series(String name, List<Point> points) {

    public Series {
        points = List.copyOf(points);
    }

    /** A value at a time; when downsampled, the mean time and mean value of a bucket, with its sample count. */
    public record Point(Instant t, double v, int n) {
    }
}
