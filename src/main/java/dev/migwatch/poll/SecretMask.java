package dev.migwatch.poll;

import dev.migwatch.alibaba.AlibabaSigning;
import dev.migwatch.history.BodyText;
import dev.migwatch.source.Secret;
import dev.migwatch.source.SourceConfig;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Masks a source's secrets in what a provider sends back before anything is classified, logged or
 * stored. It is needed because Alibaba's SignatureDoesNotMatch answer echoes the string it signed, and
 * with HMAC-SHA1 that string carries the STS SecurityToken, percent-encoded once or twice.
 */
public final class SecretMask {
    static final String MASK = "****";

    private SecretMask() {
    }

    public static String apply(String text, SourceConfig source) {
        if (text == null) {
            return null;
        }
        String masked = text;
        for (String form : forms(source)) {
            masked = masked.replace(form, MASK);
        }
        return masked;
    }

    /**
     * The same for a body as received: its bytes are searched for the forms (a secret's UTF-8 bytes are the same within
     * any UTF-8 text), in one pass that stops only at a byte some form starts with; only a body that holds one is decoded
     * and masked as text. The forms of a source are worked out once.
     */
    public static BodyText apply(BodyText body, SourceConfig source) {
        if (body == null) {
            return null;
        }
        return BYTE_FORMS.computeIfAbsent(source, ByteForms::of).foundIn(body.utf8()) ? BodyText.of(apply(body.text(), source)) : body;
    }

    /**
     * Keyed by the configuration object (sources are configured once, at start): by identity, since a record's hash would
     * walk all its fields, the task list too, at every answer; a changed configuration is another object, never stale.
     */
    private static final java.util.Map<SourceConfig, ByteForms> BYTE_FORMS = java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());

    /** A source's forms as UTF-8 bytes, and which bytes any of them starts with. */
    private record ByteForms(byte[][] forms, boolean[] starts) {
        static ByteForms of(SourceConfig source) {
            byte[][] forms = SecretMask.forms(source).stream().map(f -> f.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
            boolean[] starts = new boolean[256];
            for (byte[] f : forms) {
                starts[f[0] & 0xff] = true;
            }
            return new ByteForms(forms, starts);
        }

        boolean foundIn(byte[] in) {
            if (forms.length == 0) {
                return false;
            }
            for (int i = 0, n = in.length; i < n; i++) {
                if (starts[in[i] & 0xff]) {
                    for (byte[] f : forms) {
                        // a form is 4 bytes at least; its second byte turns away most starts before a full compare
                        if (f.length <= n - i && in[i + 1] == f[1] && Arrays.equals(in, i, i + f.length, f, 0, f.length)) {
                            return true;
                        }
                    }
                }
            }
            return false;
        }
    }

    /** Each secret as sent and as it can appear in an echoed query or string-to-sign; longest first. */
    private static Set<String> forms(SourceConfig source) {
        Set<String> forms = new LinkedHashSet<>();
        Stream.of(source.secret(), source.securityToken()).filter(s -> s != null).map(Secret::reveal)
                .filter(s -> s.length() >= 4)
                .forEach(s -> {
                    String once = AlibabaSigning.percentEncode(s);
                    forms.add(AlibabaSigning.percentEncode(once));
                    forms.add(once);
                    forms.add(URLEncoder.encode(s, StandardCharsets.UTF_8));
                    forms.add(s);
                });
        return forms.stream().sorted((a, b) -> b.length() - a.length())
                .collect(java.util.stream.Collectors.toCollection(LinkedHashSet::new));
    }
}
