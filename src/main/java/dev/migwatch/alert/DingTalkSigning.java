package dev.migwatch.alert;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

/**
 * The signature of a DingTalk custom robot whose security setting is "加签" (sign), as DingTalk's open platform documents
 * it ("自定义机器人安全设置" / custom robot security settings, open.dingtalk.com/document/robots/customize-robot-security-settings):
 * the string to sign is the timestamp in milliseconds, a line feed and the robot's secret (the SEC... string); it is
 * signed with HmacSHA256 keyed with that secret, Base64-encoded, then URL-encoded (UTF-8), and sent as the query
 * parameters {@code timestamp} and {@code sign} beside {@code access_token}. DingTalk refuses a timestamp more than an hour
 * away from its clock.
 */
public final class DingTalkSigning {
    private DingTalkSigning() {
    }

    /** The sign parameter's value, already URL-encoded. */
    public static String sign(String secret, long timestampMillis) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] digest = mac.doFinal((timestampMillis + "\n" + secret).getBytes(StandardCharsets.UTF_8));
            return URLEncoder.encode(Base64.getEncoder().encodeToString(digest), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** The query to send: the webhook's own (access_token=...), then timestamp and sign. */
    public static String signedQuery(String webhookQuery, String secret, long timestampMillis) {
        String signed = "timestamp=" + timestampMillis + "&sign=" + sign(secret, timestampMillis);
        return webhookQuery == null || webhookQuery.isEmpty() ? signed : webhookQuery + "&" + signed;
    }
}
