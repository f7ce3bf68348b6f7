package dev.migwatch.alert;

import dev.migwatch.source.Secret;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** What of a channel's URI is a secret, and how it is masked wherever the URI or a message quoting it is shown. */
class UriSecretsTest {

    @Test
    void passwordsTokensAndWebhookPathsAreMasked() {
        assertEquals("smtp://alerts:****@mail.internal:25?to=dba@example.com",
                UriSecrets.of("smtp://alerts:Mail-Pass-1@mail.internal:25?to=dba@example.com").mask(
                        "smtp://alerts:Mail-Pass-1@mail.internal:25?to=dba@example.com"));
        assertEquals("smtps://mail.internal:465?username=alerts&password=****&to=dba@example.com",
                UriSecrets.of("smtps://mail.internal:465?username=alerts&password=RAW(p&ss=w0rd)&to=dba@example.com")
                        .mask("smtps://mail.internal:465?username=alerts&password=p&ss=w0rd&to=dba@example.com"));
        assertEquals("https://oapi.dingtalk.com/robot/send?access_token=****",
                UriSecrets.of("https://oapi.dingtalk.com/robot/send?access_token=6d3f0a9c8b").mask(
                        "https://oapi.dingtalk.com/robot/send?access_token=6d3f0a9c8b"));
        assertEquals("https://hooks.slack.com/services/T0123ABCD/B0123ABCD/****",
                UriSecrets.of("https://hooks.slack.com/services/T0123ABCD/B0123ABCD/XyZ12abCDef34ghIJkl56mnO").mask(
                        "https://hooks.slack.com/services/T0123ABCD/B0123ABCD/XyZ12abCDef34ghIJkl56mnO"));
        // a message that quotes the URI, percent-encoded or not
        UriSecrets s = UriSecrets.of("http://hook.internal/x?token=a+b/c", Secret.of("SECsigning-secret"));
        assertEquals("failed invoking http://hook.internal/x?token=**** and ****, ****",
                s.mask("failed invoking http://hook.internal/x?token=a+b/c and a b/c, SECsigning-secret"));
    }

    @Test
    void plainUrisAndShortValuesAreLeftAsTheyAre() {
        String plain = "http://alerts.internal:9000/migwatch?format=v2&retries=1";
        assertEquals(plain, UriSecrets.of(plain).mask(plain));
        assertEquals("log:alerts?level=INFO&showHeaders=true", UriSecrets.of("log:alerts?level=INFO&key=1")
                .mask("log:alerts?level=INFO&showHeaders=true"));
        assertFalse(UriSecrets.of("https://hooks.slack.com/services/T0123ABCD/B0123ABCD/XyZ12abCDef34ghIJkl56mnO").isEmpty());
    }

    @Test
    void httpChannelsGetTimeoutsAndNoHiddenRetriesUnlessTheySetThem() {
        assertEquals("http://h:9/x?a=1&connectTimeout=5000&responseTimeout=10000&httpClient.retryStrategy=#migwatchNoHttpRetry",
                AlertChannel.of("c", "http://h:9/x?a=1", ChannelFormat.JSON, null).endpointUri());
        assertEquals("https://h/x?responseTimeout=2000&connectTimeout=5000&httpClient.retryStrategy=#migwatchNoHttpRetry",
                AlertChannel.of("c", "https://h/x?responseTimeout=2000", ChannelFormat.JSON, null).endpointUri());
        assertEquals("smtp://m:25?to=a@b", AlertChannel.of("c", "smtp://m:25?to=a@b", ChannelFormat.EMAIL, null).endpointUri());
    }
}
