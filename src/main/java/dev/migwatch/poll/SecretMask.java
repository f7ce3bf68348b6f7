package dev.migwatch.poll;

import dev.migwatch.alibaba.AlibabaSigning;
import dev.migwatch.history.BodyText;
import dev.migwatch.source.Secret;
import dev.migwatch.source.SourceConfig;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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
        for (String form : Forms.of(source).texts()) {
            masked = masked.replace(form, MASK);
        }
        return masked;
    }

    /**
     * The same for a body as received: its bytes are searched for the forms (a secret's UTF-8 bytes are the same within
     * any UTF-8 text), in one pass that stops only at a byte some form starts with; only a body that holds one is decoded
     * and masked as text.
     */
    public static BodyText apply(BodyText body, SourceConfig source) {
        if (body == null) {
            return null;
        }
        return Forms.of(source).foundIn(body.utf8()) ? BodyText.of(apply(body.text(), source)) : body;
    }

    /**
     * Each secret as sent and as it can appear in an echoed query or string-to-sign, longest first; as text and as UTF-8
     * bytes, with the bytes any of them starts with. Worked out once per source.
     */
    private record Forms(List<String> texts, byte[][] bytes, boolean[] starts) {
        /**
         * Keyed by the configuration object (sources are configured once, at start): by identity, since a record's hash
         * would walk all its fields, the task list too, at every answer; a changed configuration is another object.
         */
        private static final Map<SourceConfig, Forms> OF_SOURCE = Collections.synchronizedMap(new IdentityHashMap<>());

        static Forms of(SourceConfig source) {
            return OF_SOURCE.computeIfAbsent(source, Forms::workOut);
        }

        private static Forms workOut(SourceConfig source) {
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
            List<String> texts = forms.stream().sorted((a, b) -> b.length() - a.length()).toList();
            byte[][] bytes = texts.stream().map(f -> f.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
            boolean[] starts = new boolean[256];
            for (byte[] f : bytes) {
                starts[f[0] & 0xff] = true;
            }
            return new Forms(texts, bytes, starts);
        }

        boolean foundIn(byte[] in) {
            if (bytes.length == 0) {
                return false;
            }
            for (int i = 0, n = in.length; i < n; i++) {
                if (starts[in[i] & 0xff]) {
                    for (byte[] f : bytes) {
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
}
