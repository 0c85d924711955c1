package io.levelparty.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.levelparty.PartyFollower;
import io.levelparty.PartyMap;
import io.levelparty.PartyStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code levelparty stat DIR}: who leads, how many entries, how much disk. */
@Command(name = "stat", mixinStandardHelpOptions = true,
        description = {"Prints, as one JSON object: this tool's role in the party and the leader's pid, the number "
                + "of entries (counted exactly, by the leader), the followers as the leader sees them (pid, uid, "
                + "whether they cache, how long they have been connected; the tool itself among them), this tool's "
                + "own counts, and the bytes the directory takes on disk."})
final class StatCommand extends ToolCommand {
    @Override
    public Integer call() {
        try (PartyMap<?> map = target.open()) {
            PartyStats stats = map.stats();
            ObjectNode node = JsonLines.object()
                    .put("location", target.location)
                    .put("role", stats.role().name())
                    .put("leaderPid", stats.leaderPid())
                    .put("entries", map.size());
            ArrayNode followers = node.putArray("followers");
            for (PartyFollower f : map.followers()) {
                followers.addObject().put("pid", f.pid()).put("uid", f.uid()).put("caching", f.caching())
                        .put("connectedMillis", f.connected().toMillis());
            }
            node.put("writes", stats.writes()).put("requestsServed", stats.requestsServed())
                    .put("failovers", stats.failovers());
            if (!target.location.contains("://")) {
                node.put("diskBytes", diskBytes(Path.of(target.location)));
            }
            new JsonLines(out()).print(node);
        }
        return LevelPartyTool.OK;
    }

    private static long diskBytes(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
