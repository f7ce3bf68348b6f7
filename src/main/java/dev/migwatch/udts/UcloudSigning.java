package dev.migwatch.udts;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * UCloud's API signature: parameters sorted by name, {@code name + value} concatenated without
 * separators or encoding, the private key appended, lower-case hex SHA-1. Checked against the
 * official vector; used by the client to sign and by the simulator to verify.
 */
public final class UcloudSigning {
    private UcloudSigning() {
    }

    /** @param params every parameter except Signature, PublicKey included; lists are flattened as Name.0, Name.1 */
    public static String signature(Map<String, ?> params, String privateKey) {
        Map<String, String> flat = new TreeMap<>();
        params.forEach((k, v) -> flatten(k, v, flat));
        flat.remove("Signature");
        StringBuilder s = new StringBuilder();
        flat.forEach((k, v) -> s.append(k).append(v));
        s.append(privateKey);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void flatten(String name, Object value, Map<String, String> out) {
        if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                flatten(name + "." + i, list.get(i), out);
            }
        } else if (value != null) {
            out.put(name, format(value));
        }
    }

    /** Booleans as true/false, whole floats as integers, never scientific notation. */
    static String format(Object value) {
        if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
            BigDecimal d = new BigDecimal(value.toString()).stripTrailingZeros();
            return d.scale() <= 0 ? d.toBigInteger().toString() : d.toPlainString();
        }
        return value.toString();
    }
}
