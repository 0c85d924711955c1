package io.levelparty.examples;

import io.levelparty.Change;
import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import java.nio.file.Path;

/**
 * Watches the putters: prints every change to key {@code a}, whichever process made it, as it is
 * committed, and says so when changes may have been missed (a new leader took over).
 *
 * <p>Usage: {@code Watch <dir> [seconds]}; without seconds it runs until stopped.
 */
public final class Watch {
    private Watch() {}

    public static void main(String[] args) throws InterruptedException {
        Path dir = Path.of(args.length > 0 ? args[0] : "data");
        long deadline = Demo.deadline(args, 1);
        try (PartyMap<Integer> db = LevelParty.open(dir, Codecs.json(Integer.class))) {
            Demo.announce("watch", db);
            db.subscribe("a", true, "a", true, Watch::print);
            Demo.repeat(db, deadline, 1000, () -> { });
        }
    }

    private static void print(Change<Integer> change) {
        if (change instanceof Change.Put<Integer> put) {
            System.out.println("change " + put.sequence() + ": a=" + put.value());
        } else if (change instanceof Change.Remove<Integer> remove) {
            System.out.println("change " + remove.sequence() + ": a removed");
        } else if (change instanceof Change.Gap<Integer> gap) {
            System.out.println("changes may have been missed here: " + gap.reason());
        }
    }
}
