package io.levelparty.examples;

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
        int n = ThreadLocalRandom.current().nextInt(100_000);
        Demo.run("put", args, 1000, db -> () -> db.put("a", n + 1));
    }
}
