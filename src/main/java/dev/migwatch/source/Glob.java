package dev.migwatch.source;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A shell-style name pattern, as people write them for task names: {@code *} any run of characters, {@code ?} one
 * character, {@code [a-z]} / {@code [!0-9]} one character of (not of) a set, {@code \} takes the next character
 * literally. It matches the whole name, case-sensitively. Commas are not part of a glob: a list of globs is
 * comma-separated.
 */
public record Glob(String text, Pattern pattern) {

    /** @throws IllegalArgumentException naming what is wrong with the glob */
    public static Glob of(String text) {
        StringBuilder regex = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                case '\\' -> {
                    if (i + 1 == text.length()) {
                        throw new IllegalArgumentException("it ends with a lone \\");
                    }
                    regex.append(Pattern.quote(String.valueOf(text.charAt(++i))));
                }
                case '[' -> {
                    int end = text.indexOf(']', i + 2);
                    if (end < 0) {
                        throw new IllegalArgumentException("its [ at position " + (i + 1) + " is never closed");
                    }
                    String set = text.substring(i + 1, end);
                    regex.append('[').append(set.startsWith("!") ? "^" + quoteSet(set.substring(1)) : quoteSet(set)).append(']');
                    i = end;
                }
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
            i++;
        }
        try {
            return new Glob(text, Pattern.compile(regex.toString()));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("its character set is not valid (" + e.getDescription() + ")");
        }
    }

    public boolean matches(String name) {
        return name != null && pattern.matcher(name).matches();
    }

    /** Inside [...] only a range's '-' keeps its meaning; the characters regex treats specially are escaped. */
    private static String quoteSet(String set) {
        StringBuilder out = new StringBuilder();
        for (char c : set.toCharArray()) {
            if (c == '\\' || c == '[' || c == ']' || c == '^' || c == '&') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return text;
    }
}
