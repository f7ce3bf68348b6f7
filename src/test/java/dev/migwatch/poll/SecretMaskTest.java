package dev.migwatch.poll;

import dev.migwatch.alibaba.AlibabaSigning;
import dev.migwatch.history.BodyText;
import dev.migwatch.source.Provider;
import dev.migwatch.source.Secret;
import dev.migwatch.source.SignatureMethod;
import dev.migwatch.source.SourceConfig;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class SecretMaskTest {

    @Test
    void masksTheSecretAndTokenInEveryEncodingAGatewayEchoes() {
        String token = "CAIS/x+y=z token";
        SourceConfig s = new SourceConfig("s", Provider.OMS, URI.create("https://x"), null, List.of("t"), Duration.ofSeconds(1), "AKID",
                Secret.of("se cret/+"), Secret.of(token), SignatureMethod.HMAC_SHA1, null, Duration.ofSeconds(1), Duration.ofSeconds(1));
        String once = AlibabaSigning.percentEncode(token);
        String echoed = "server string to sign is:POST&%2F&AccessKeyId%3DAKID%26SecurityToken%3D" + AlibabaSigning.percentEncode(once)
                + " raw=" + token + " query=SecurityToken=" + once + " secret=se cret/+";
        assertEquals("server string to sign is:POST&%2F&AccessKeyId%3DAKID%26SecurityToken%3D**** raw=**** query=SecurityToken=**** secret=****",
                SecretMask.apply(echoed, s));
        assertEquals(null, SecretMask.apply((String) null, s));
        // a body as received: searched as bytes, decoded and masked only when it holds a secret
        BodyText received = BodyText.received(("{\"Message\":\"" + echoed + " 全量迁移\"}").getBytes(StandardCharsets.UTF_8));
        assertEquals("{\"Message\":\"server string to sign is:POST&%2F&AccessKeyId%3DAKID%26SecurityToken%3D**** raw=**** "
                + "query=SecurityToken=**** secret=**** 全量迁移\"}", SecretMask.apply(received, s).text());
        BodyText clean = BodyText.received("{\"Data\":\"全量迁移 se cret\"}".getBytes(StandardCharsets.UTF_8));
        assertSame(clean, SecretMask.apply(clean, s));
        assertEquals(null, SecretMask.apply((BodyText) null, s));
    }
}
