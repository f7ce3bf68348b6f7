package dev.migwatch.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP forwarder on loopback between migwatch and its database, for outages: {@link #close()} refuses new
 * connections and cuts the open ones, as a database host that went away does; {@link #open()} lets them through
 * again. The database server itself keeps running, as a remote database does when the network to it fails.
 */
final class TcpGate implements AutoCloseable {
    private final int port;
    private final int targetPort;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile ServerSocket listener;

    TcpGate(int port, int targetPort) {
        this.port = port;
        this.targetPort = targetPort;
    }

    int port() {
        return port;
    }

    synchronized TcpGate open() {
        try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            listener = s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread accept = new Thread(() -> accept(listener), "tcp-gate-" + port);
        accept.setDaemon(true);
        accept.start();
        return this;
    }

    @Override
    public synchronized void close() {
        try {
            if (listener != null) {
                listener.close();
            }
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException e) {
                // already gone
            }
        }
        open.clear();
    }

    private void accept(ServerSocket from) {
        while (!from.isClosed()) {
            try {
                Socket client = from.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                open.add(client);
                open.add(server);
                pump(client, server);
                pump(server, client);
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void pump(Socket in, Socket out) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream is = in.getInputStream(); OutputStream os = out.getOutputStream()) {
                int n;
                while ((n = is.read(buffer)) >= 0) {
                    os.write(buffer, 0, n);
                    os.flush();
                }
            } catch (IOException e) {
                // one side went away: the other goes too
            } finally {
                try {
                    in.close();
                    out.close();
                } catch (IOException e) {
                    // already closed
                }
            }
        }, "tcp-gate-pump");
        t.setDaemon(true);
        t.start();
    }
}
