package io.levelparty.tck;

import io.levelparty.Change;
import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A process taking part in a party scenario: opens the directory given as its argument and obeys
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
 * close               -> CLOSED, and the process exits
 * </pre>
 * Errors answer {@code ERROR <exception>}. Role changes are announced as {@code NOW <role>} lines,
 * and, once subscribed, changes as {@code CHANGE PUT <key> <value> <sequence>},
 * {@code CHANGE REMOVE <key> <sequence>} and {@code CHANGE GAP <reason>} lines.
 */
public final class PartyChild {
    private PartyChild() {}

    public static void main(String[] args) throws Exception {
        PartyMap<String> map = LevelParty.open(Path.of(args[0]), Codecs.utf8());
        map.onRoleChange(role -> reply("NOW " + role));
        reply("READY " + map.role() + " " + ProcessHandle.current().pid());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
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
