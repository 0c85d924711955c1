package io.levelparty.cli;

import io.levelparty.PartyMap;
import java.util.Map;
import java.util.NavigableMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code levelparty scan DIR [--prefix P | --from A --to B] [--reverse] [--limit N] [--keys-only]}. */
@Command(name = "scan", mixinStandardHelpOptions = true,
        description = "Prints the entries of a range in key order as JSON lines {\"key\":…,\"value\":…}.")
final class ScanCommand extends ToolCommand {
    @Option(names = "--prefix", paramLabel = "P", description = "Only keys that begin with P.")
    String prefix;

    @Option(names = "--from", paramLabel = "A", description = "Only keys from A on (inclusive).")
    String from;

    @Option(names = "--to", paramLabel = "B", description = "Only keys below B (exclusive).")
    String to;

    @Option(names = "--reverse", description = "In descending key order.")
    boolean reverse;

    @Option(names = "--limit", paramLabel = "N", description = "At most N entries.")
    Long limit;

    @Option(names = "--keys-only", description = "Print {\"key\":…} only.")
    boolean keysOnly;

    @Override
    public Integer call() {
        if (prefix != null && (from != null || to != null)) {
            throw new ParameterException(spec.commandLine(), "Give --prefix, or --from/--to, not both");
        }
        if (limit != null && limit < 0) {
            throw new ParameterException(spec.commandLine(), "--limit must not be negative: " + limit);
        }
        JsonLines out = new JsonLines(out());
        try (PartyMap<?> map = target.open()) {
            print(range(map, prefix, from, to, reverse), keysOnly, limit == null ? Long.MAX_VALUE : limit, out);
        }
        return LevelPartyTool.OK;
    }

    /** Returns the view of {@code map} a range's options select. */
    static <V> NavigableMap<String, V> range(PartyMap<V> map, String prefix, String from, String to, boolean reverse) {
        NavigableMap<String, V> view = map;
        if (prefix != null) {
            view = view.tailMap(prefix, true);
            String end = endOfPrefix(prefix);
            view = end == null ? view : view.headMap(end, false);
        } else {
            if (from != null) {
                view = view.tailMap(from, true);
            }
            if (to != null) {
                view = view.headMap(to, false);
            }
        }
        return reverse ? view.descendingMap() : view;
    }

    /** Returns the least key above every key that begins with {@code prefix}, or null if there is none. */
    static String endOfPrefix(String prefix) {
        int[] codePoints = prefix.codePoints().toArray();
        for (int i = codePoints.length - 1; i >= 0; i--) {
            if (codePoints[i] < Character.MAX_CODE_POINT) {
                int next = codePoints[i] + 1;
                if (next >= Character.MIN_SURROGATE && next <= Character.MAX_SURROGATE) {
                    next = Character.MAX_SURROGATE + 1; // keys hold no lone surrogates
                }
                return new String(codePoints, 0, i) + Character.toString(next);
            }
        }
        return null;
    }

    static void print(NavigableMap<String, ?> view, boolean keysOnly, long limit, JsonLines out) {
        long printed = 0;
        for (Map.Entry<String, ?> e : view.entrySet()) {
            if (printed++ == limit) {
                break;
            }
            out.print(JsonLines.entry(e.getKey(), keysOnly ? null : e.getValue()));
        }
    }
}
