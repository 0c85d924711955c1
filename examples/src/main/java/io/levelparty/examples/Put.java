package io.levelparty.examples;

import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The seed's putter: picks a random number and writes it plus one under key {@code a} every
 * second, as JSON, for as long as it runs. Start as many as you like on one directory.
 *
 * <p>Usage: {@code Put <dir> [seconds]}; without seconds it runs until stopped.
 */
public final class Put {
    private Put() {}

    public static void main(String[] args) throws InterruptedException {
        Path dir = Path.of(args.length > 0 ? args[0] : "data");
        long deadline = Demo.deadline(args, 1);
        int n = ThreadLocalRandom.current().nextInt(100_000);
        try (PartyMap<Integer> db = LevelParty.open(dir, Codecs.json(Integer.class))) {
            Demo.announce("put", db);
            Demo.repeat(db, deadline, 1000, () -> db.put("a", n + 1));
        }
    }
}
