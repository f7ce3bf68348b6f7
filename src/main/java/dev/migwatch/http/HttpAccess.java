package dev.migwatch.http;

import dev.migwatch.source.ConfigException;
import dev.migwatch.source.Secret;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.support.LifecycleStrategySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * migwatch.http.*: who may read what migwatch serves (API, dashboard, health and metrics) once it listens beyond this
 * machine. none, basic (user and password) or token (Authorization: Bearer); the paths of migwatch.http.open-paths
 * (liveness) stay open. Applied in front of every route of Camel's embedded Vert.x server, API and management alike.
 */
public final class HttpAccess {
    public static final List<String> DEFAULT_OPEN_PATHS = List.of("/observe/health/live");
    private static final Logger LOG = LoggerFactory.getLogger(HttpAccess.class);

    public enum Mode { NONE, BASIC, TOKEN }

    private final Mode mode;
    private final String user;
    private final Secret password;
    private final Secret token;
    private final List<String> openPaths;

    private HttpAccess(Mode mode, String user, Secret password, Secret token, List<String> openPaths) {
        this.mode = mode;
        this.user = user;
        this.password = password;
        this.token = token;
        this.openPaths = List.copyOf(openPaths);
    }

    public Mode mode() {
        return mode;
    }

    /**
     * Reads and checks migwatch.http.*; refuses anonymous access on an address other machines reach unless
     * migwatch.http.allow-anonymous = true says so.
     *
     * @param serverHost camel.server.host, or null when the HTTP server is off
     */
    public static HttpAccess parse(Map<String, String> global, String serverHost) {
        List<String> problems = new ArrayList<>();
        String modeName = value(global, "migwatch.http.auth", "none");
        Mode mode;
        try {
            mode = Mode.valueOf(modeName.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("migwatch.http.auth '" + modeName + "' is not known: set it to none, basic or token");
        }
        String user = value(global, "migwatch.http.user", null);
        Secret password = Secret.of(value(global, "migwatch.http.password", null));
        Secret token = Secret.of(value(global, "migwatch.http.token", null));
        List<String> open = global.containsKey("migwatch.http.open-paths")
                ? Arrays.stream(global.get("migwatch.http.open-paths").split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList()
                : DEFAULT_OPEN_PATHS;
        for (String p : open) {
            if (!p.startsWith("/")) {
                problems.add("migwatch.http.open-paths: '" + p + "' is not a path (it starts with /; a trailing * opens everything under it)");
            }
        }
        if (mode == Mode.BASIC && (user == null || password == null)) {
            problems.add("migwatch.http.auth = basic needs migwatch.http.user and migwatch.http.password "
                    + "(e.g. migwatch.http.password = {{env:MIGWATCH_HTTP_PASSWORD}})");
        }
        if (mode == Mode.TOKEN && token == null) {
            problems.add("migwatch.http.auth = token needs migwatch.http.token (e.g. migwatch.http.token = {{env:MIGWATCH_HTTP_TOKEN}})");
        }
        boolean anonymousAllowed = "true".equalsIgnoreCase(value(global, "migwatch.http.allow-anonymous", "false"));
        if (mode == Mode.NONE && serverHost != null && !loopback(serverHost) && !anonymousAllowed) {
            problems.add("camel.server.host = " + serverHost + " lets other machines read the API, the dashboard and health, and "
                    + "migwatch.http.auth = none lets anyone: set migwatch.http.auth = basic or token, or listen on 127.0.0.1, "
                    + "or say migwatch.http.allow-anonymous = true");
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new HttpAccess(mode, user, password, token, open);
    }

    static boolean loopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Whether a request may be answered: an open path, or the right credentials. */
    boolean allows(String path, String authorization) {
        if (mode == Mode.NONE || isOpen(path)) {
            return true;
        }
        if (authorization == null) {
            return false;
        }
        if (mode == Mode.TOKEN) {
            return authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                    && same(authorization.substring(7).trim(), token.reveal());
        }
        if (!authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = decoded.indexOf(':');
        // both compared, always, so that the time taken says nothing about which was wrong
        return colon > 0 & same(decoded.substring(0, Math.max(colon, 0)), user)
                & same(decoded.substring(colon + 1), password.reveal());
    }

    private boolean isOpen(String path) {
        for (String p : openPaths) {
            if (p.endsWith("*") ? path.startsWith(p.substring(0, p.length() - 1)) : path.equals(p)) {
                return true;
            }
        }
        return false;
    }

    private static boolean same(String given, String expected) {
        return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
    }

    private void handle(RoutingContext ctx) {
        if (allows(ctx.normalizedPath(), ctx.request().getHeader("Authorization"))) {
            ctx.next();
            return;
        }
        ctx.response().setStatusCode(401)
                .putHeader("WWW-Authenticate", mode == Mode.BASIC ? "Basic realm=\"migwatch\", charset=\"UTF-8\"" : "Bearer realm=\"migwatch\"")
                .putHeader("Content-Type", "application/json")
                .end("{\"error\":\"unauthorized\",\"message\":\"credentials required (migwatch.http.auth = "
                        + mode.name().toLowerCase(Locale.ROOT) + ")\"}");
    }

    /**
     * Puts the check in front of every router of the embedded HTTP server as soon as the server has created it, before
     * Camel starts the routes (the REST API) and before the context reports itself started.
     */
    public LifecycleStrategySupport installer() {
        Set<Object> guarded = ConcurrentHashMap.newKeySet();
        return new LifecycleStrategySupport() {
            @Override
            public void onContextStarting(CamelContext context) {
                install(context, guarded);
            }

            @Override
            public void onContextStarted(CamelContext context) {
                install(context, guarded);
            }

            @Override
            public void onServiceAdd(CamelContext context, org.apache.camel.Service service, org.apache.camel.Route route) {
                install(context, guarded);
            }
        };
    }

    private void install(CamelContext context, Set<Object> guarded) {
        if (mode == Mode.NONE) {
            return;
        }
        for (VertxPlatformHttpRouter router : context.getRegistry().findByType(VertxPlatformHttpRouter.class)) {
            if (guarded.add(router)) {
                // before any route of the router, whenever those were added
                router.route().order(Integer.MIN_VALUE).handler(this::handle);
                LOG.info("HTTP access ({} server): {} authentication, open paths {}", router.getServerType(),
                        mode.name().toLowerCase(Locale.ROOT), openPaths);
            }
        }
    }

    private static String value(Map<String, String> global, String key, String dflt) {
        String v = global.get(key);
        return v == null || v.isBlank() ? dflt : v.trim();
    }

    @Override
    public String toString() {
        // never the credentials
        return "HttpAccess[" + mode + ", open " + openPaths + "]";
    }
}
