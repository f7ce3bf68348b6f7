package dev.migwatch.observe;

import dev.migwatch.source.Secret;

/**
 * Text for health check messages. Camel's /observe/health writes messages into its JSON as they are, unescaped, so a
 * quote or a backslash from a driver's message would break the answer; and a driver's message must not carry a secret.
 */
final class HealthText {
    private HealthText() {
    }

    static String clean(String text, Secret... secrets) {
        if (text == null) {
            return "";
        }
        String t = text;
        for (Secret s : secrets) {
            if (s != null && s.reveal().length() >= 4) {
                t = t.replace(s.reveal(), "****");
            }
        }
        StringBuilder out = new StringBuilder(Math.min(t.length(), 300));
        for (int i = 0; i < t.length() && out.length() < 300; i++) {
            char c = t.charAt(i);
            out.append(c == '"' ? '\'' : c == '\\' ? '/' : Character.isISOControl(c) ? ' ' : c);
        }
        return out.toString();
    }
}
