import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import io.levelparty.Role;
import java.nio.file.Path;

/** A fresh process: opens args[0] as a follower, puts one entry, prints how long the open took in ms, and exits. */
public class ColdFollower {
    public static void main(String[] args) {
        long start = System.nanoTime();
        try (PartyMap<String> map = LevelParty.open(Path.of(args[0]), Codecs.utf8())) {
            long opened = System.nanoTime();
            map.put("k" + ProcessHandle.current().pid(), "v");
            if (map.role() != Role.FOLLOWER) {
                throw new IllegalStateException("expected to follow the running leader");
            }
            System.out.println((opened - start) / 1_000_000);
        }
    }
}
