package dev.migwatch.poll;

import dev.migwatch.alibaba.AlibabaSigning;
import dev.migwatch.history.BodyText;
import dev.migwatch.source.Secret;
import dev.migwatch.source.SourceConfig;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
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
     * The same for a body as received: its bytes are searched for each form (a secret's UTF-8 bytes are the same within
     * any UTF-8 text), and only a body that holds one is decoded and masked as text.
     */
    public static BodyText apply(BodyText body, SourceConfig source) {
        if (body == null) {
            return null;
        }
        byte[] bytes = body.utf8();
        for (String form : forms(source)) {
            if (indexOf(bytes, form.getBytes(StandardCharsets.UTF_8)) >= 0) {
                return BodyText.of(apply(body.text(), source));
            }
        }
        return body;
    }

    static int indexOf(byte[] in, byte[] what) {
        outer:
        for (int i = 0, last = in.length - what.length; i <= last; i++) {
            for (int k = 0; k < what.length; k++) {
                if (in[i + k] != what[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
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
