import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import java.nio.file.Path;

/** Leads args[0] until killed; prints its role once it leads. */
public class HoldLeader {
    public static void main(String[] args) throws InterruptedException {
        try (PartyMap<String> map = LevelParty.open(Path.of(args[0]), Codecs.utf8())) {
            System.out.println(map.role());
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
