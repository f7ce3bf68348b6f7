package dev.migwatch.simulator;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP request as received, headers keyed by lower-case name.
 *
 * @param rawQuery the query string as sent (still encoded), may be null
 */
record SimRequest(String method, String path, String rawQuery, Map<String, List<String>> headers, byte[] body) {

    String header(String name) {
        List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    Map<String, String> query() {
        return decodeForm(rawQuery);
    }

    boolean isForm() {
        String ct = header("content-type");
        return ct != null && ct.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded");
    }

    /** Query and form parameters merged, as the Alibaba gateway reads them (the form wins on a clash). */
    Map<String, String> params() {
        Map<String, String> all = new LinkedHashMap<>(query());
        if (isForm()) {
            all.putAll(decodeForm(bodyText()));
        }
        return all;
    }

    /** The Host header without its port: what the Alibaba gateway reports as HostId. */
    String hostName() {
        String host = header("host");
        if (host == null) {
            return "127.0.0.1";
        }
        int colon = host.lastIndexOf(':');
        return colon > 0 && !host.endsWith("]") ? host.substring(0, colon) : host;
    }

    static Map<String, String> decodeForm(String s) {
        Map<String, String> out = new LinkedHashMap<>();
        if (s == null || s.isEmpty()) {
            return out;
        }
        for (String pair : s.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            out.putIfAbsent(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return out;
    }
}
