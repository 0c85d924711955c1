package io.levelparty.tck.party;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.levelparty.tck.party.StaleReadChecker.Read;
import io.levelparty.tck.party.StaleReadChecker.Write;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Operation logs as a worker writes them, and as a SIGKILL may leave them: cut anywhere. */
class OperationLogTest {
    @TempDir
    Path dir;

    /** What a replay handed on, in order: writes, reads, and "failed" for each failed read. */
    private static List<Object> replay(Path file) throws IOException {
        List<Object> events = new ArrayList<>();
        OperationLog.replay(file, "p", events::add, events::add, () -> events.add("failed"));
        return events;
    }

    private Path writeFullLog() throws IOException {
        Path file = dir.resolve("p.t.log");
        try (OperationLog log = new OperationLog(file)) {
            log.get("k", null, 1, 2);
            log.put("k", "p-1", 3);
            log.putEnded(/* acknowledged= */ true, 4);
            log.get("k", "p-1", 5, 6);
            log.getFailed("k", 7, 8);
            log.put("k", "p-2", 9);
            log.putEnded(/* acknowledged= */ false, 10);
            log.put("k", "p-3", 11);
            log.putEnded(/* acknowledged= */ true, 12);
        }
        return file;
    }

    @Test
    void aLogReplaysAsWritten() throws IOException {
        assertEquals(List.of(new Read("p", "k", null, 1, 2), new Write("p", "k", "p-1", 3, 4, true),
                new Read("p", "k", "p-1", 5, 6), "failed", new Write("p", "k", "p-2", 9, 10, false),
                new Write("p", "k", "p-3", 11, 12, true)), replay(writeFullLog()));
    }

    @Test
    void aPutIsInTheFileBeforeItIsSent() throws IOException {
        Path file = dir.resolve("p.t.log");
        try (OperationLog log = new OperationLog(file)) {
            log.get("k", "v", 1, 2);
            log.put("k", "p-1", 3);
            assertEquals(List.of(new Read("p", "k", "v", 1, 2), new Write("p", "k", "p-1", 3, Long.MAX_VALUE, false)),
                    replay(file), "the log as a SIGKILL would leave it while the put is in flight");
        }
    }

    /**
     * Cut at every byte, as a SIGKILL may cut it, a log replays as a prefix of what was logged,
     * except that the put whose outcome is cut off becomes one of unknown fate.
     */
    @Test
    void aLogCutAnywhereReplaysAsAPrefix() throws IOException {
        Path file = writeFullLog();
        byte[] full = Files.readAllBytes(file);
        List<Object> all = replay(file);
        Path cut = dir.resolve("cut.log");
        for (int length = 0; length <= full.length; length++) {
            Files.write(cut, Arrays.copyOf(full, length));
            List<Object> events = replay(cut);
            int n = events.size();
            String where = "cut after " + length + " bytes: " + events;
            assertTrue(n <= all.size(), where);
            assertEquals(all.subList(0, Math.max(0, n - 1)), events.subList(0, Math.max(0, n - 1)), where);
            if (n > 0 && !events.get(n - 1).equals(all.get(n - 1))) {
                Write complete = (Write) all.get(n - 1);
                assertEquals(new Write("p", "k", complete.value(), complete.start(), Long.MAX_VALUE, false),
                        events.get(n - 1), where);
            }
        }
    }

    @Test
    void aMalformedLineBeforeTheLastFailsTheReplay() throws IOException {
        Path file = dir.resolve("bad.log");
        Files.writeString(file, "R k v 1 2\nR k v 1\nR k v 3 4\n", StandardCharsets.UTF_8);
        assertThrows(IOException.class, () -> replay(file));
        Files.writeString(file, "W k v 1\nR k v 3 4\n", StandardCharsets.UTF_8);
        assertThrows(IOException.class, () -> replay(file), "a put with no outcome before another line");
    }
}
