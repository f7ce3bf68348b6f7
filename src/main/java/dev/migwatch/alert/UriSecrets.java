package dev.migwatch.alert;

import dev.migwatch.source.Secret;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The secrets a channel's endpoint URI carries, so that they can be masked wherever the URI, or a message that
 * quotes it (an HTTP client's "HTTP operation failed invoking ..."), is shown or logged: the password of
 * {@code user:password@host}, the value of every query parameter whose name speaks of a secret (password, token,
 * access_token, secret, key, sign, auth, credential, webhook), path segments that look like a webhook's token (16 or
 * more characters mixing letters and digits, as Slack's {@code /services/T.../B.../<token>}), and any secret kept
 * beside the URI (a DingTalk robot's signing secret). Each is masked as written, percent-decoded and percent-encoded.
 */
public final class UriSecrets {
    static final String MASK = "****";
    private static final Pattern SECRET_NAME = Pattern.compile(".*(pass|secret|token|key|sign|auth|credential|webhook).*");
    private static final Pattern TOKEN_SEGMENT = Pattern.compile("(?=[A-Za-z0-9_-]*[0-9])(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{16,}");
    private static final Pattern USER_INFO = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*://([^/@?#]*)@");
    private static final Pattern RAW = Pattern.compile("^RAW[({](.*)[)}]$", Pattern.DOTALL);

    private final List<String> forms;

    private UriSecrets(List<String> forms) {
        this.forms = forms;
    }

    public static UriSecrets of(String uri, Secret... beside) {
        Set<String> found = new LinkedHashSet<>();
        if (uri != null) {
            Matcher userInfo = USER_INFO.matcher(uri);
            if (userInfo.find() && userInfo.group(1).contains(":")) {
                found.add(userInfo.group(1).substring(userInfo.group(1).indexOf(':') + 1));
            }
            int q = uri.indexOf('?');
            String path = q < 0 ? uri : uri.substring(0, q);
            for (String segment : path.split("[/:@]")) {
                if (TOKEN_SEGMENT.matcher(segment).matches()) {
                    found.add(segment);
                }
            }
            if (q >= 0) {
                String query = uri.substring(q + 1);
                int i = 0;
                while (i < query.length()) {
                    int eq = query.indexOf('=', i);
                    int amp = query.indexOf('&', i);
                    if (eq < 0 || (amp >= 0 && amp < eq)) {
                        i = amp < 0 ? query.length() : amp + 1;
                        continue;
                    }
                    String name = query.substring(i, eq);
                    int end = valueEnd(query, eq + 1);
                    String value = query.substring(eq + 1, end);
                    if (SECRET_NAME.matcher(name.toLowerCase(Locale.ROOT)).matches()) {
                        Matcher raw = RAW.matcher(value);
                        found.add(raw.matches() ? raw.group(1) : value);
                    }
                    i = end + 1;
                }
            }
        }
        for (Secret s : beside) {
            if (s != null) {
                found.add(s.reveal());
            }
        }
        Set<String> forms = new LinkedHashSet<>();
        for (String s : found) {
            forms.add(s);
            forms.add(URLEncoder.encode(s, StandardCharsets.UTF_8));
            try {
                forms.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                // not percent-encoded: the form as written is enough
            }
        }
        // short values ("1", "on") would mask half of every message; longest first, so a value inside another is not split
        return new UriSecrets(forms.stream().filter(f -> f.length() >= 4)
                .sorted(Comparator.comparingInt(String::length).reversed()).toList());
    }

    /** Where a query value ends: at the next &, or for Camel's RAW(...) / RAW{...} at its closing bracket. */
    private static int valueEnd(String query, int start) {
        for (String[] raw : new String[][]{{"RAW(", ")"}, {"RAW{", "}"}}) {
            if (query.startsWith(raw[0], start)) {
                int close = query.indexOf(raw[1], start + raw[0].length());
                if (close >= 0) {
                    return close + 1;
                }
            }
        }
        int amp = query.indexOf('&', start);
        return amp < 0 ? query.length() : amp;
    }

    /** The text with every secret replaced by ****. */
    public String mask(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String f : forms) {
            out = out.replace(f, MASK);
        }
        return out;
    }

    /** Whether there is anything to mask (tests). */
    boolean isEmpty() {
        return forms.isEmpty();
    }
}
