package dev.migwatch.alert;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * DingTalk's robot signature against vectors computed apart from migwatch, with Python 3's hmac, hashlib, base64 and
 * urllib.parse.quote_plus over "timestamp\nsecret" keyed with the secret, as DingTalk's documentation shows it:
 * <pre>
 * python3 -c "import hmac,hashlib,base64,urllib.parse as u; ts,s='1700000000000','secret';
 *   print(u.quote_plus(base64.b64encode(hmac.new(s.encode(),(ts+'\n'+s).encode(),hashlib.sha256).digest())))"
 * </pre>
 * The first vector is also the one the Rust crate dingding 0.1.1 tests its own signing with.
 */
class DingTalkSigningTest {

    @Test
    void signsAsDingTalkDocumentsIt() {
        assertEquals("OuzzJR5%2BxZ4%2FEYwqtNt6sMYZQMTa%2FHEGvc9miJe7XzY%3D", DingTalkSigning.sign("secret", 1_700_000_000_000L));
        assertEquals("yJCQgsn87aSBq3RYsC4fp4Ydvz5UrDpZUPP%2FZU0ZzKs%3D",
                DingTalkSigning.sign("SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd", 1_764_590_400_000L));
    }

    @Test
    void theSignedQueryKeepsTheWebhooksOwnParameters() {
        assertEquals("access_token=abc&timestamp=1700000000000&sign=OuzzJR5%2BxZ4%2FEYwqtNt6sMYZQMTa%2FHEGvc9miJe7XzY%3D",
                DingTalkSigning.signedQuery("access_token=abc", "secret", 1_700_000_000_000L));
        assertEquals("timestamp=1700000000000&sign=OuzzJR5%2BxZ4%2FEYwqtNt6sMYZQMTa%2FHEGvc9miJe7XzY%3D",
                DingTalkSigning.signedQuery("", "secret", 1_700_000_000_000L));
    }
}
