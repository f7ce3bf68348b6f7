package dev.migwatch.alert;

import dev.migwatch.source.Secret;

/**
 * One migwatch.alerts.channels.<name> block: any Camel endpoint URI, and how notifications are written for it.
 *
 * @param secret  a DingTalk robot's signing secret (format dingtalk only), or null
 * @param secrets what must never be shown of the URI and the secret: every URI that is shown goes through {@link #mask}
 */
public record AlertChannel(String name, String uri, ChannelFormat format, Secret secret, UriSecrets secrets) {

    public static AlertChannel of(String name, String uri, ChannelFormat format, Secret secret) {
        return new AlertChannel(name, uri, format, secret, UriSecrets.of(uri, secret));
    }

    /** The text (the URI itself, an error message quoting it) with the channel's secrets masked. */
    public String mask(String text) {
        return secrets.mask(text);
    }

    /** The URI as it may be shown or logged. */
    public String shownUri() {
        return mask(uri);
    }

    @Override
    public String toString() {
        return "AlertChannel[" + name + ", " + format.id() + ", " + shownUri() + "]";
    }
}
