package io.levelparty.impl;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The main class of a leader that {@link DamagedLogTest} kills in the middle of its writes: opens
 * the LevelDB directory {@code args[0]}, says "ready", and writes keys until it is killed.
 */
public final class LogWriterChild {
    private LogWriterChild() {}

    public static void main(String[] args) {
        LocalStore store = LocalStore.tryOpen(Path.of(args[0]));
        System.out.println("ready");
        System.out.flush();
        byte[] value = new byte[100];
        for (long i = 0; ; i++) {
            store.put(("key" + i).getBytes(StandardCharsets.UTF_8), value);
        }
    }
}
