package dev.migwatch.alibaba;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * Alibaba Cloud's two request-signing methods, as specified in PROVIDERS.md and checked against the
 * official test vectors. Used by the client to sign and by the simulator to verify.
 */
public final class AlibabaSigning {
    public static final String ACS3 = "ACS3-HMAC-SHA256";

    private AlibabaSigning() {
    }

    /** RFC 3986 percent-encoding as Alibaba requires: only A-Z a-z 0-9 - _ . ~ stay, space becomes %20. */
    public static String percentEncode(String s) {
        // what URLEncoder followed by the official util's three replacements gives, in one pass: every byte of the UTF-8
        // text but A-Z a-z 0-9 - _ . ~ as %XX (upper-case hex). The three passes were 4 % of a cycle's CPU.
        int n = s.length();
        int i = 0;
        while (i < n && unreserved(s.charAt(i))) {
            i++;
        }
        if (i == n) {
            return s;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length + 16);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c < 0x80 && unreserved((char) c)) {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return out.toString();
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private static boolean unreserved(char c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~';
    }

    /** Sorted name=value pairs, both percent-encoded, joined with '&'; empty values are left out (as the official util does). */
    public static String canonicalQuery(Map<String, String> params) {
        StringJoiner j = new StringJoiner("&");
        new TreeMap<>(params).forEach((k, v) -> {
            if (v != null && !v.isEmpty() && !"Signature".equals(k)) {
                j.add(percentEncode(k) + "=" + percentEncode(v));
            }
        });
        return j.toString();
    }

    /** Signature method V2 (HMAC-SHA1, SignatureVersion 1.0) over all query and form parameters. */
    public static String hmacSha1Signature(String method, Map<String, String> params, String secret) {
        String stringToSign = method.toUpperCase(Locale.ROOT) + "&" + percentEncode("/") + "&" + percentEncode(canonicalQuery(params));
        return Base64.getEncoder().encodeToString(hmac("HmacSHA1", (secret + "&").getBytes(StandardCharsets.UTF_8), stringToSign));
    }

    /**
     * The ACS3 canonical request. Signed headers are host, content-type and every x-acs-* header.
     *
     * @param headers request headers, any case
     */
    public static Acs3 acs3(String method, String path, Map<String, String> query, Map<String, String> headers, String body) {
        TreeMap<String, String> signed = new TreeMap<>();
        headers.forEach((name, value) -> {
            String n = name.toLowerCase(Locale.ROOT);
            if (n.equals("host") || n.equals("content-type") || n.startsWith("x-acs-")) {
                signed.put(n, value == null ? "" : value.trim());
            }
        });
        StringBuilder canonicalHeaders = new StringBuilder();
        signed.forEach((n, v) -> canonicalHeaders.append(n).append(':').append(v).append('\n'));
        String signedHeaders = String.join(";", signed.keySet());
        StringJoiner q = new StringJoiner("&");
        new TreeMap<>(query).forEach((k, v) -> q.add(percentEncode(k) + "=" + percentEncode(v == null ? "" : v)));
        String canonicalRequest = method.toUpperCase(Locale.ROOT) + "\n" + (path == null || path.isEmpty() ? "/" : path) + "\n"
                + q + "\n" + canonicalHeaders + "\n" + signedHeaders + "\n" + sha256Hex(body == null ? "" : body);
        return new Acs3(canonicalRequest, signedHeaders);
    }

    /** The lower-case hex HMAC-SHA256 signature of a canonical request (no '&' on the key, unlike V2). */
    public static String acs3Signature(Acs3 canonical, String secret) {
        String stringToSign = ACS3 + "\n" + sha256Hex(canonical.canonicalRequest());
        return HexFormat.of().formatHex(hmac("HmacSHA256", secret.getBytes(StandardCharsets.UTF_8), stringToSign));
    }

    public static String authorization(String keyId, Acs3 canonical, String signature) {
        return ACS3 + " Credential=" + keyId + ",SignedHeaders=" + canonical.signedHeaders() + ",Signature=" + signature;
    }

    public static String sha256Hex(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(String algorithm, byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, algorithm));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An ACS3 canonical request and the header names it signs. */
    public record Acs3(String canonicalRequest, String signedHeaders) {
    }
}
