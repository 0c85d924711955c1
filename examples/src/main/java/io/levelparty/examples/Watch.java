package io.levelparty.examples;

import io.levelparty.Change;

/**
 * Watches the putters: prints every change to key {@code a}, whichever process made it, as it is
 * committed, and says so when changes may have been missed (a new leader took over).
 *
 * <p>Usage: {@code Watch <dir> [seconds]}; without seconds it runs until stopped.
 */
public final class Watch {
    private Watch() {}

    public static void main(String[] args) throws InterruptedException {
        Demo.run("watch", args, 1000, db -> {
            db.subscribe("a", true, "a", true, Watch::print);
            return () -> { }; // the subscription's thread does the work
        });
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
