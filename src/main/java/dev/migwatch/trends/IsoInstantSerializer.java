package dev.migwatch.trends;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * An Instant in the API's JSON exactly as {@link Instant#toString()} writes it (ISO-8601 in UTC, the fraction in 3, 6 or
 * 9 digits as needed), written from a per-thread char array. Instant.toString builds a LocalDateTime, its date's and
 * time's strings and a StringBuilder for each: the list of 1,000 tasks has about 10,000 times, 3.4 MB a call of the
 * 6.3 its JSON allocated. Times before 1970 or after 9999 take Instant.toString itself.
 */
final class IsoInstantSerializer extends StdSerializer<Instant> {
    private static final long LAST_SECOND_OF_9999 = 253_402_300_799L;
    private static final ThreadLocal<char[]> TEXT = ThreadLocal.withInitial(() -> new char[32]);

    IsoInstantSerializer() {
        super(Instant.class);
    }

    @Override
    public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider) throws IOException {
        char[] text = TEXT.get();
        int n = format(value, text);
        if (n < 0) {
            gen.writeString(value.toString());
        } else {
            gen.writeString(text, 0, n);
        }
    }

    /** Writes value into text (32 chars at least) and returns the length, or -1 outside 1970 to 9999. */
    static int format(Instant value, char[] text) {
        long seconds = value.getEpochSecond();
        if (seconds < 0 || seconds > LAST_SECOND_OF_9999) {
            return -1;
        }
        LocalDate date = LocalDate.ofEpochDay(seconds / 86_400);
        int ofDay = (int) (seconds % 86_400);
        int at = digits(text, 0, date.getYear(), 4);
        text[at++] = '-';
        at = digits(text, at, date.getMonthValue(), 2);
        text[at++] = '-';
        at = digits(text, at, date.getDayOfMonth(), 2);
        text[at++] = 'T';
        at = digits(text, at, ofDay / 3600, 2);
        text[at++] = ':';
        at = digits(text, at, ofDay / 60 % 60, 2);
        text[at++] = ':';
        at = digits(text, at, ofDay % 60, 2);
        int nano = value.getNano();
        if (nano != 0) {
            text[at++] = '.';
            if (nano % 1_000_000 == 0) {
                at = digits(text, at, nano / 1_000_000, 3);
            } else if (nano % 1_000 == 0) {
                at = digits(text, at, nano / 1_000, 6);
            } else {
                at = digits(text, at, nano, 9);
            }
        }
        text[at++] = 'Z';
        return at;
    }

    /** value in exactly width decimal digits, zero-padded (value < 10^width). */
    private static int digits(char[] text, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            text[i] = (char) ('0' + value % 10);
            value /= 10;
        }
        return at + width;
    }
}
