package io.levelparty.cli;

import io.levelparty.Codecs;
import io.levelparty.PartyMap;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code levelparty load DIR < file.jsonl}: writes the entries of {@code dump}'s lines, in atomic batches. */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = {"Reads JSON lines {\"key\":…,\"value\":…} from standard input and writes them in atomic "
                + "batches of up to " + LoadCommand.BATCH_ENTRIES + " entries, then prints the counts.",
            "A malformed line stops the load with its line number: the lines before it are written, none after it."})
final class LoadCommand extends ToolCommand {
    static final int BATCH_ENTRIES = 1000;
    /** A batch's keys and values stay far below what one request of the party may carry. */
    private static final long BATCH_BYTES = 4L << 20;

    private long loaded;
    private long batches;

    @Override
    public Integer call() throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        if (target.binary) {
            try (PartyMap<byte[]> map = target.open(Codecs.bytes())) {
                load(in, map, byte[].class);
            }
        } else {
            try (PartyMap<String> map = target.open(Codecs.utf8())) {
                load(in, map, String.class);
            }
        }
        out().println("loaded " + loaded + " entries in " + batches + " batches");
        return LevelPartyTool.OK;
    }

    private <V> void load(BufferedReader in, PartyMap<V> map, Class<V> type) throws IOException {
        List<String> keys = new ArrayList<>();
        List<V> values = new ArrayList<>();
        long bytes = 0;
        long lineNumber = 0;
        for (String line; (line = in.readLine()) != null; ) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            Object[] entry;
            try {
                entry = JsonLines.parseEntry(line, target.binary);
            } catch (IllegalArgumentException malformed) {
                write(map, keys, values);
                throw new IllegalArgumentException("line " + lineNumber + ": " + malformed.getMessage() + "; loaded "
                        + loaded + " entries in " + batches + " batches before it, nothing after it");
            }
            keys.add((String) entry[0]);
            values.add(type.cast(entry[1]));
            bytes += ((String) entry[0]).length() * 3L + (entry[1] instanceof byte[] b ? b.length
                    : ((String) entry[1]).length() * 3L);
            if (keys.size() == BATCH_ENTRIES || bytes >= BATCH_BYTES) {
                write(map, keys, values);
                bytes = 0;
            }
        }
        write(map, keys, values);
    }

    /** Writes the pending entries in one atomic batch, and forgets them. */
    private <V> void write(PartyMap<V> map, List<String> keys, List<V> values) {
        if (keys.isEmpty()) {
            return;
        }
        PartyMap.Batch<V> batch = map.batch();
        for (int i = 0; i < keys.size(); i++) {
            batch.put(keys.get(i), values.get(i));
        }
        batch.apply();
        loaded += keys.size();
        batches++;
        keys.clear();
        values.clear();
    }
}
