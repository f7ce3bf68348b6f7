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

    /**
     * The URI the channel's route sends to. An http(s) channel gets, unless its URI sets them, timeouts (a hung webhook
     * would hold its queue) and no retries of the HTTP client's own: it would send a notification again after a 503 by
     * itself, unseen, outside the channel's backoff and its count of attempts.
     */
    public String endpointUri() {
        String scheme = uri.substring(0, uri.indexOf(':')).toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return uri;
        }
        StringBuilder out = new StringBuilder(uri);
        for (String[] option : new String[][]{{"connectTimeout", "5000"}, {"responseTimeout", "10000"},
                {"httpClient.retryStrategy", "#" + dev.migwatch.http.NoHttpRetry.NAME}}) {
            if (!java.util.regex.Pattern.compile("[?&]" + java.util.regex.Pattern.quote(option[0]) + "=").matcher(uri).find()) {
                out.append(out.indexOf("?") < 0 ? '?' : '&').append(option[0]).append('=').append(option[1]);
            }
        }
        return out.toString();
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
