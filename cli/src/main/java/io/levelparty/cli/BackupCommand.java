package io.levelparty.cli;

import io.levelparty.PartyMap;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code levelparty backup DIR DEST}: a consistent copy of the live database. */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {"Writes a consistent copy of the live map (every entry as of one moment) as a new LevelDB "
                + "directory DEST, which plain LevelDB and Node's level open. DEST must not exist.",
            "The leader writes it while the party goes on; give a --timeout long enough to copy the map."})
final class BackupCommand extends ToolCommand {
    @Parameters(index = "1", paramLabel = "DEST")
    Path destination;

    @Override
    public Integer call() {
        Path dest = destination.toAbsolutePath();
        if (Files.exists(dest)) {
            throw new IllegalArgumentException("the backup's destination " + dest + " exists; name a new directory");
        }
        try (PartyMap<?> map = target.open()) {
            map.backup(dest);
        }
        out().println("backed up " + target.location + " to " + dest);
        return LevelPartyTool.OK;
    }
}
