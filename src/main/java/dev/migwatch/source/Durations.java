package dev.migwatch.source;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the duration forms people write in properties: 30s, 5m, 1h, 500ms, 1m30s, or ISO-8601 (PT30S). */
public final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private Durations() {
    }

    /** @return the duration, or null when the text is not a positive duration */
    public static Duration parse(String text) {
        if (text == null) {
            return null;
        }
        String t = text.trim().toLowerCase();
        if (t.startsWith("pt") || t.startsWith("p")) {
            try {
                Duration d = Duration.parse(text.trim().toUpperCase());
                d.toMillis(); // beyond a long of milliseconds: thrown, and no duration
                return d.isNegative() || d.isZero() ? null : d;
            } catch (RuntimeException e) {
                return null;
            }
        }
        Matcher m = PART.matcher(t);
        Duration total = Duration.ZERO;
        int end = 0;
        try {
            while (m.find()) {
                if (m.start() != end) {
                    return null;
                }
                long n = Long.parseLong(m.group(1));
                total = total.plus(switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                });
                end = m.end();
            }
            // the callers take milliseconds (timers, redelivery delays): a duration beyond them is no duration either
            total.toMillis();
        } catch (NumberFormatException | ArithmeticException tooLarge) {
            return null;
        }
        return end == t.length() && end > 0 && !total.isZero() ? total : null;
    }
}
