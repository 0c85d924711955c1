package io.levelparty.examples;

import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import java.nio.file.Path;

/**
 * The seed's getter: prints {@code a=<value>} every 250 ms, whichever putter wrote it last.
 *
 * <p>Usage: {@code Get <dir> [seconds]}; without seconds it runs until stopped.
 */
public final class Get {
    private Get() {}

    public static void main(String[] args) throws InterruptedException {
        Path dir = Path.of(args.length > 0 ? args[0] : "data");
        long deadline = Demo.deadline(args, 1);
        try (PartyMap<Integer> db = LevelParty.open(dir, Codecs.json(Integer.class))) {
            Demo.announce("get", db);
            Demo.repeat(db, deadline, 250, () -> System.out.println("a=" + db.get("a")));
        }
    }
}
