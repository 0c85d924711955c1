package io.levelparty.tck.party;

import io.levelparty.Change;
import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyClosedException;
import io.levelparty.PartyMap;
import io.levelparty.PartyStats;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A process taking part in a party scenario: opens the map whose URI is its argument, with
 * {@link LevelParty#open(URI, io.levelparty.Codec)}, and obeys
 * one command per line on standard input, answering one line each on standard output, so the
 * scenario (see {@link ChildProcess}) can sequence several processes exactly.
 *
 * <pre>
 * (on start)          -> READY &lt;role&gt; &lt;pid&gt;
 * put K V             -> OK
 * get K               -> VALUE V | VALUE null
 * putmany PREFIX N    -> OK               (puts PREFIX/0 … PREFIX/N-1, value = the key)
 * count PREFIX        -> COUNT n          (keys starting with PREFIX)
 * role                -> ROLE LEADER|FOLLOWER
 * subscribe           -> OK               (then announces every change, see below)
 * watchgaps           -> OK               (then announces every gap, and nothing else)
 * sync TOKEN          -> OK               (puts TOKEN under "~sync" and waits for watchgaps to see it)
 * leaderpid           -> LEADERPID pid    (of the leader, from stats())
 * stats               -> STATS role leaderPid cacheHits cacheMisses cacheEntries
 * readloop PREFIX     -> OK               (a thread reads InterruptedCalls' point keys under PREFIX, over and over)
 * setup PREFIX        -> OK               (InterruptedCalls: writes the initial entries under PREFIX)
 * interrupted OP PREFIX N -> OK counts | ERROR what   (InterruptedCalls: N interrupted calls of OP)
 * model PREFIX        -> DIGEST n crc     (of what InterruptedCalls expects under PREFIX)
 * digest PREFIX       -> DIGEST n crc     (of what the map holds under PREFIX)
 * close               -> CLOSED, and the process exits
 * </pre>
 * Errors answer {@code ERROR <exception>}. Role changes are announced as {@code NOW <role>} lines,
 * and, once subscribed, changes as {@code CHANGE PUT <key> <value> <sequence>},
 * {@code CHANGE REMOVE <key> <sequence>} and {@code CHANGE GAP <reason>} lines.
 */
public final class PartyChild {
    /** The key "sync" writes its token under. */
    private static final String SYNC_KEY = "~sync";
    /** Reads per second of a "readloop" thread. */
    private static final int LOOP_READS_PER_SECOND = 4000;
    private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(60);

    private PartyChild() {}

    public static void main(String[] args) throws Exception {
        PartyMap<String> map = LevelParty.open(URI.create(args[0]), Codecs.utf8());
        map.onRoleChange(role -> reply("NOW " + role));
        reply("READY " + map.role() + " " + ProcessHandle.current().pid());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Map<String, InterruptedCalls> exercises = new HashMap<>();
        BlockingQueue<String> synced = new LinkedBlockingQueue<>();
        for (String line; (line = in.readLine()) != null; ) {
            String[] words = line.split(" ");
            try {
                switch (words[0]) {
                    case "put" -> {
                        map.put(words[1], words[2]);
                        reply("OK");
                    }
                    case "get" -> reply("VALUE " + map.get(words[1]));
                    case "putmany" -> {
                        for (int i = 0; i < Integer.parseInt(words[2]); i++) {
                            String key = words[1] + "/" + i;
                            map.put(key, key);
                        }
                        reply("OK");
                    }
                    case "count" -> reply("COUNT " + map.tailMap(words[1]).keySet().stream()
                            .takeWhile(k -> k.startsWith(words[1])).count());
                    case "role" -> reply("ROLE " + map.role());
                    case "subscribe" -> {
                        map.subscribe(change -> reply("CHANGE " + describe(change)));
                        reply("OK");
                    }
                    case "watchgaps" -> {
                        map.subscribe(change -> {
                            if (change instanceof Change.Gap<String>) {
                                reply("CHANGE " + describe(change));
                            } else if (change instanceof Change.Put<String> put && put.key().equals(SYNC_KEY)) {
                                synced.add(put.value());
                            }
                        });
                        reply("OK");
                    }
                    case "sync" -> {
                        map.put(SYNC_KEY, words[1]);
                        reply(awaitToken(synced, words[1]) ? "OK" : "ERROR " + SYNC_KEY + " = " + words[1]
                                + " was not delivered within " + SYNC_TIMEOUT);
                    }
                    case "leaderpid" -> reply("LEADERPID " + map.stats().leaderPid());
                    case "stats" -> {
                        PartyStats stats = map.stats();
                        reply("STATS " + stats.role() + " " + stats.leaderPid() + " " + stats.cacheHits() + " "
                                + stats.cacheMisses() + " " + stats.cacheEntries());
                    }
                    case "readloop" -> {
                        startReadLoop(map, InterruptedCalls.pointKeys(words[1]));
                        reply("OK");
                    }
                    case "setup" -> {
                        InterruptedCalls calls = new InterruptedCalls(map, words[1]);
                        calls.setUp();
                        exercises.put(words[1], calls);
                        reply("OK");
                    }
                    case "interrupted" -> reply(exercises.get(words[2])
                            .run(InterruptContract.Operation.valueOf(words[1]), Integer.parseInt(words[3])));
                    case "model" -> reply(exercises.get(words[1]).digest(true));
                    case "digest" -> reply(exercises.getOrDefault(words[1], new InterruptedCalls(map, words[1]))
                            .digest(false));
                    case "close" -> {
                        map.close();
                        reply("CLOSED");
                        return;
                    }
                    default -> reply("ERROR unknown command " + line);
                }
            } catch (RuntimeException e) {
                reply("ERROR " + e);
            }
        }
        map.close();
    }

    /** Returns whether {@code token} arrives on {@code synced} within {@link #SYNC_TIMEOUT}; skips other tokens. */
    private static boolean awaitToken(BlockingQueue<String> synced, String token) throws InterruptedException {
        long deadline = System.nanoTime() + SYNC_TIMEOUT.toNanos();
        for (String next; (next = synced.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) != null; ) {
            if (next.equals(token)) {
                return true;
            }
        }
        return false;
    }

    /** Starts a daemon thread that reads {@code keys} round and round, paced, until the map closes. */
    private static void startReadLoop(PartyMap<String> map, List<String> keys) {
        Thread reader = new Thread(() -> {
            Pacer pacer = new Pacer(LOOP_READS_PER_SECOND);
            for (int i = 0; ; i = (i + 1) % keys.size()) {
                pacer.await();
                try {
                    map.get(keys.get(i));
                } catch (PartyClosedException e) {
                    return;
                } catch (RuntimeException e) {
                    // a failover shows in the roles and gaps the scenario checks; keep reading
                }
            }
        }, "read-loop");
        reader.setDaemon(true);
        reader.start();
    }

    private static String describe(Change<String> change) {
        if (change instanceof Change.Put<String> put) {
            return "PUT " + put.key() + " " + put.value() + " " + put.sequence();
        }
        if (change instanceof Change.Remove<String> remove) {
            return "REMOVE " + remove.key() + " " + remove.sequence();
        }
        return "GAP " + ((Change.Gap<String>) change).reason();
    }

    private static synchronized void reply(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
