package dev.migwatch.alert;

import dev.migwatch.MovableClock;
import dev.migwatch.source.Secret;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A DingTalk robot refuses a signature whose timestamp is more than an hour from its clock, and a channel's retries
 * (delivery.retries up to 100, the backoff doubling) can run for hours: every attempt is signed when it is sent.
 */
class AlertDeliveryTest {
    static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");
    static final String SECRET = "SECd1ngta1k5ecret0123456789abcdef";

    @Test
    void eachAttemptToADingTalkRobotIsSignedAtItsOwnTime() throws Exception {
        MovableClock clock = new MovableClock(T0);
        AlertChannel ding = AlertChannel.of("ding", "http://127.0.0.1:9/robot/send?access_token=tok3n5c0ffee",
                ChannelFormat.DINGTALK, Secret.of(SECRET));
        AlertDelivery delivery = new AlertDelivery(Map.of("ding", ding), null, clock);
        try (CamelContext camel = new DefaultCamelContext()) {
            dev.migwatch.http.NoHttpRetry.bind(camel.getRegistry());
            camel.start();
            Exchange ex = new DefaultExchange(camel);
            ex.getIn().setBody(new Notification(1, 1, "ding", NotificationKind.FIRING, "failed", "prod-oms", "oms", "np_1", "np_1",
                    AlertCondition.FAILED, "FAILED", null, T0, T0, "the task is FAILED", null));
            delivery.render(ex);
            delivery.attempt(ex);
            assertEquals(signedAt(T0), ex.getMessage().getHeader(Exchange.HTTP_QUERY));

            // the channel's error handler sends it again, from the message as it was before the first attempt
            clock.set(T0.plus(Duration.ofHours(2)));
            delivery.attempt(ex);
            assertEquals(signedAt(T0.plus(Duration.ofHours(2))), ex.getMessage().getHeader(Exchange.HTTP_QUERY));
        }
    }

    private static String signedAt(Instant t) {
        return "access_token=tok3n5c0ffee&" + "timestamp=" + t.toEpochMilli() + "&sign=" + DingTalkSigning.sign(SECRET, t.toEpochMilli());
    }
}
