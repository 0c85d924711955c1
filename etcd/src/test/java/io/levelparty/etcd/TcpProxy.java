package io.levelparty.etcd;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on loopback in front of an etcd client port, to break a client's connection on
 * purpose: it can swallow the server's replies while passing the client's requests on
 * ({@link #dropReplies}), cut every connection at once ({@link #cutAll}), and refuse new ones
 * ({@link #refuse}).
 */
final class TcpProxy implements AutoCloseable {
    private final int target;
    private final ServerSocket server;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean dropReplies;
    private volatile boolean refusing;

    TcpProxy(int targetPort) {
        this.target = targetPort;
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        daemon("proxy-accept", this::acceptLoop).start();
    }

    /** Returns the port clients connect to. */
    int port() {
        return server.getLocalPort();
    }

    /** Sets whether bytes from the server are thrown away instead of passed to the client. */
    void dropReplies(boolean drop) {
        dropReplies = drop;
    }

    /** Sets whether new connections are closed as soon as they are accepted. */
    void refuse(boolean refuse) {
        refusing = refuse;
    }

    /** Closes every connection through the proxy, on both sides. */
    void cutAll() {
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        sockets.clear();
    }

    @Override
    public void close() {
        closeQuietly(server);
        cutAll();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (refusing) {
                    closeQuietly(client);
                    continue;
                }
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                sockets.add(client);
                sockets.add(upstream);
                daemon("proxy-requests", () -> pump(client, upstream, false)).start();
                daemon("proxy-replies", () -> pump(upstream, client, true)).start();
            } catch (IOException e) {
                // the server socket was closed, or the target refused: the client sees the connection fail
            }
        }
    }

    private void pump(Socket from, Socket to, boolean replies) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (!(replies && dropReplies)) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
        } catch (IOException e) {
            // one side closed: close the other below
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static Thread daemon(String name, Runnable task) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        return t;
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing anyway
        }
    }
}
