package io.levelparty.cli;

import io.levelparty.PartyMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code levelparty compact DIR [--prefix P]}. */
@Command(name = "compact", mixinStandardHelpOptions = true,
        description = "Has the leader compact the map (or the keys beginning with P), dropping the space and the "
                + "read cost of removed and overwritten entries.")
final class CompactCommand extends ToolCommand {
    @Option(names = "--prefix", paramLabel = "P", description = "Only keys that begin with P.")
    String prefix;

    @Override
    public Integer call() {
        try (PartyMap<?> map = target.open()) {
            map.compact(prefix, prefix == null ? null : ScanCommand.endOfPrefix(prefix));
        }
        return LevelPartyTool.OK;
    }
}
