package dev.migwatch.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP receiver for alert channels (JDK HttpServer on 127.0.0.1): records every request it gets, in order, and
 * answers 200 with a body of the path's choosing, or an error status while a path is told to refuse.
 */
final class RecordingReceiver implements AutoCloseable {
    /** One request as received, and the status it was answered (200, or 503 while refused). */
    record Request(String method, String path, String query, Map<String, List<String>> headers, String body, int status) {
        String header(String name) {
            List<String> v = headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                    .findFirst().orElse(List.of());
            return v.isEmpty() ? null : v.get(0);
        }
    }

    private final HttpServer server;
    private final List<Request> requests = new ArrayList<>();
    private final Map<String, String> answers = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> refusals = new ConcurrentHashMap<>();

    RecordingReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    /** The body answered (with 200) on this path; "ok" otherwise. */
    RecordingReceiver answer(String path, String body) {
        answers.put(path, body);
        return this;
    }

    /** The next n requests to this path are answered 503. */
    RecordingReceiver refuse(String path, int n) {
        refusals.put(path, new AtomicInteger(n));
        return this;
    }

    synchronized List<Request> requests(String path) {
        return requests.stream().filter(r -> r.path().equals(path)).toList();
    }

    synchronized List<Request> all() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            URI uri = ex.getRequestURI();
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            AtomicInteger refuse = refusals.get(uri.getPath());
            boolean refused = refuse != null && refuse.getAndDecrement() > 0;
            synchronized (this) {
                requests.add(new Request(ex.getRequestMethod(), uri.getPath(), uri.getRawQuery(), Map.copyOf(ex.getRequestHeaders()), body,
                        refused ? 503 : 200));
            }
            byte[] answer = (refused ? "busy" : answers.getOrDefault(uri.getPath(), "ok")).getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", answer.length > 0 && answer[0] == '{' ? "application/json" : "text/plain");
            ex.sendResponseHeaders(refused ? 503 : 200, answer.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(answer);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
