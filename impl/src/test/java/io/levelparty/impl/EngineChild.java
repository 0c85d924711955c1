package io.levelparty.impl;

import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import io.levelparty.PartyUnavailableException;
import java.io.IOException;
import java.nio.file.Path;
import org.newsclub.net.unix.AFSocket;

/**
 * The main class of the child JVMs of {@link MixedEnginePartyTest}, whose engine the system
 * property {@code levelparty.leveldb} picks:
 * <ul>
 *   <li>{@code lead <dir> <n>}: opens the party of {@code dir}, writes keys {@code child0..n-1},
 *       prints its role, and keeps the map open until its standard input closes;
 *   <li>{@code open <dir>}: opens a party in each of two directories under {@code dir}, writes a
 *       key to each and prints what it reads back, then the junixsocket library it loaded and the
 *       property that names one ({@link SocketLibrary}); or the message of the open's failure.
 * </ul>
 */
public final class EngineChild {
    private EngineChild() {}

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[1]);
        if (args[0].equals("lead")) {
            try (PartyMap<String> map = LevelParty.open(dir, Codecs.utf8())) {
                for (int i = 0; i < Integer.parseInt(args[2]); i++) {
                    map.put("child" + i, "value" + i);
                }
                System.out.println(map.role());
                System.out.flush();
                while (System.in.read() >= 0) {
                    // until the parent closes the pipe or kills this process
                }
            }
            return;
        }
        try (PartyMap<String> one = LevelParty.open(dir.resolve("one"), Codecs.utf8());
                PartyMap<String> two = LevelParty.open(dir.resolve("two"), Codecs.utf8())) {
            one.put("k", "1");
            two.put("k", "2");
            System.out.println("read " + one.get("k") + two.get("k"));
            System.out.println("library " + AFSocket.getLoadedLibrary() + ", override "
                    + System.getProperty(SocketLibrary.OVERRIDE));
        } catch (PartyUnavailableException e) {
            System.out.println("refused: " + e.getMessage());
        }
    }
}
