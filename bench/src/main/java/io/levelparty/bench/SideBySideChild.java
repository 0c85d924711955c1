package io.levelparty.bench;

import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import io.levelparty.PartyOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.function.Consumer;

/**
 * LevelParty's side of {@link SideBySide}: one process of a scenario, driven by the same lines as
 * level-party's side, {@code bench/node/party.js}, whose header lists them. The jobs {@code serve},
 * {@code hold} and {@code ops} are the same as there, on a map of UTF-8 strings with keys
 * {@code "k" + i} and values of {@value BenchData#VALUE_BYTES} characters; the writers of the
 * failover and hand-over are {@link LoadChild}'s {@code write} job. One more job has no Node twin:
 *
 * <pre>
 * SideBySideChild churn DIR CYCLES SECONDS CALLS   leads DIR; CYCLES times, or as many as it
 *   -> CHURN cycles nanos lastKey floorKey descending pollFirst   does in SECONDS, puts five keys
 *                                          and clears the map; then puts the five keys once more and
 *                                          times each call CALLS times after CALLS unmeasured ones:
 *                                          the cycles done, the time they took, and the medians, in ns
 * </pre>
 * {@code ops DIR uncached} opens its map with {@code cacheSize(0)}, {@code ops DIR sync} with
 * {@code syncWrites(true)}.
 */
public final class SideBySideChild {
    private static final String VALUE = "v".repeat(BenchData.VALUE_BYTES);
    /** The keys of the churned map. */
    private static final String[] FIVE = {"a", "b", "c", "d", "e"};

    private SideBySideChild() {}

    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PartyOptions<String> options = PartyOptions.of(Codecs.utf8());
        if (args.length > 2 && args[2].equals("uncached")) {
            options = options.cacheSize(0);
        } else if (args.length > 2 && args[2].equals("sync")) {
            options = options.syncWrites(true);
        }
        try (PartyMap<String> map = LevelParty.open(Path.of(args[1]), options)) {
            switch (args[0]) {
                case "serve" -> serve(map, Integer.parseInt(args[2]), in);
                case "hold" -> hold(map, in);
                case "ops" -> ops(map, in);
                case "churn" -> churn(map, Integer.parseInt(args[2]), Long.parseLong(args[3]),
                        Integer.parseInt(args[4]));
                default -> throw new IllegalArgumentException("unknown job " + args[0]);
            }
        }
    }

    private static void reply(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static void ready(PartyMap<String> map) {
        map.put("ready-" + ProcessHandle.current().pid(), VALUE);
        reply("READY " + map.role());
    }

    private static void serve(PartyMap<String> map, int entries, BufferedReader in) throws IOException {
        for (int start = 0; start < entries; start += 1_000) {
            PartyMap.Batch<String> batch = map.batch();
            for (int i = start; i < Math.min(entries, start + 1_000); i++) {
                batch.put("k" + i, VALUE);
            }
            batch.apply();
        }
        ready(map);
        commands(in, words -> { });
    }

    private static void hold(PartyMap<String> map, BufferedReader in) throws IOException {
        ready(map);
        commands(in, words -> {
            if (words[0].equals("role")) {
                reply("ROLE " + map.role());
            }
        });
    }

    private static void commands(BufferedReader in, Consumer<String[]> handler) throws IOException {
        for (String line; (line = in.readLine()) != null; ) {
            handler.accept(line.split(" "));
        }
    }

    /** The follower's sequential operations, one awaited at a time, as {@code party.js}'s ops job. */
    private static void ops(PartyMap<String> map, BufferedReader in) throws IOException {
        ready(map);
        int[] next = {0};
        int[] written = {0};
        Consumer<String> one = op -> {
            if (op.equals("put")) {
                map.put("k" + next[0]++, VALUE);
                written[0] = Math.max(written[0], next[0]);
            } else if (map.get("k" + next[0]++ % written[0]) == null) {
                throw new IllegalStateException("a key this process wrote is missing");
            }
        };
        commands(in, words -> {
            switch (words[0]) {
                case "warm" -> {
                    next[0] = 0;
                    for (int i = Integer.parseInt(words[2]); i > 0; i--) {
                        one.accept(words[1]);
                    }
                    reply("WARM");
                }
                case "run" -> {
                    long start = System.nanoTime();
                    long deadline = start + Long.parseLong(words[2]) * 1_000_000_000L;
                    long n = 0;
                    for (long now = start; now < deadline; now = System.nanoTime()) {
                        one.accept(words[1]);
                        n++;
                    }
                    reply("DONE " + n + " " + (System.nanoTime() - start));
                }
                case "scan" -> scan(map, Integer.parseInt(words[1]), Integer.parseInt(words[2]),
                        Integer.parseInt(words[3]));
                default -> throw new IllegalArgumentException("unknown command " + words[0]);
            }
        });
    }

    private static void scan(PartyMap<String> map, int entries, int warmups, int runs) {
        long[] times = new long[runs];
        int seen = 0;
        for (int r = 0; r < warmups + runs; r++) {
            long start = System.nanoTime();
            seen = 0;
            Iterator<Map.Entry<String, String>> it = map.entrySet().iterator();
            while (seen < entries && it.hasNext()) {
                Map.Entry<String, String> e = it.next();
                seen += e.getKey().length() + e.getValue().length() > 0 ? 1 : 0;
            }
            if (r >= warmups) {
                times[r - warmups] = System.nanoTime() - start;
            }
        }
        Arrays.sort(times);
        reply("SCANNED " + seen + " " + Stats.percentile(times, 50));
    }

    private static void churn(PartyMap<String> map, int cycles, long seconds, int calls) {
        long start = System.nanoTime();
        long deadline = start + seconds * 1_000_000_000L;
        int done = 0;
        for (; done < cycles && System.nanoTime() < deadline; done++) {
            fill(map);
            map.clear();
        }
        long churned = System.nanoTime() - start;
        fill(map);
        NavigableMap<String, String> descending = map.descendingMap();
        Runnable nothing = () -> { };
        long lastKey = time(calls, map::lastKey, nothing);
        long floorKey = time(calls, () -> map.floorKey("c"), nothing);
        long firstDescending = time(calls, descending::firstEntry, nothing);
        long pollFirst = time(calls, map::pollFirstEntry, () -> map.put(FIVE[0], VALUE));
        reply("CHURN " + done + " " + churned + " " + lastKey + " " + floorKey + " " + firstDescending + " "
                + pollFirst);
    }

    private static void fill(PartyMap<String> map) {
        for (String key : FIVE) {
            map.put(key, VALUE);
        }
    }

    /**
     * Returns the median time of {@code call}, in ns, over {@code calls} calls after as many
     * unmeasured; {@code restore}, untimed, runs after each.
     */
    private static long time(int calls, Runnable call, Runnable restore) {
        long[] times = new long[calls];
        for (int i = -calls; i < calls; i++) {
            long start = System.nanoTime();
            call.run();
            long took = System.nanoTime() - start;
            restore.run();
            if (i >= 0) {
                times[i] = took;
            }
        }
        Arrays.sort(times);
        return Stats.percentile(times, 50);
    }
}
