package io.levelparty.bench;

import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import io.levelparty.Role;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * The other process of the follower benchmarks: the LevelParty leader of a directory preloaded
 * with the benchmark data, and beside it the raw baseline, a junixsocket server that answers each
 * fixed-size request with a fixed-size reply (blocking streams and one thread per connection, as
 * the leader serves its followers).
 *
 * <pre>
 * BenchServer DIR ECHO_SOCKET ENTRIES
 *   -> READY             once both serve; closing standard input stops it
 * </pre>
 * An echo client first sends two big-endian ints, the request and reply sizes, then requests.
 */
public final class BenchServer {
    private BenchServer() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        PartyMap<byte[]> map = LevelParty.open(dir, Codecs.bytes());
        if (map.role() != Role.LEADER) {
            throw new IllegalStateException("expected to lead " + dir);
        }
        BenchData.load(map, Integer.parseInt(args[2]));
        AFUNIXServerSocket echo = AFUNIXServerSocket.newInstance();
        echo.bind(AFUNIXSocketAddress.of(Path.of(args[1])));
        Thread acceptor = new Thread(() -> accept(echo), "echo-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
        System.out.println("READY");
        System.out.flush();
        while (System.in.read() >= 0) {
            // wait for the benchmark to close our input
        }
        echo.close();
        map.close();
    }

    private static void accept(AFUNIXServerSocket server) {
        try {
            while (true) {
                AFUNIXSocket socket = server.accept();
                Thread t = new Thread(() -> echo(socket), "echo");
                t.setDaemon(true);
                t.start();
            }
        } catch (IOException closed) {
            // the server socket was closed: done
        }
    }

    private static void echo(AFUNIXSocket socket) {
        try (socket) {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            byte[] request = new byte[in.readInt()];
            byte[] reply = new byte[in.readInt()];
            while (true) {
                in.readFully(request);
                out.write(reply);
            }
        } catch (IOException disconnected) {
            // the client went away
        }
    }
}
