package io.levelparty.cli;

import io.levelparty.PartyMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code levelparty dump DIR > file.jsonl}: every entry, as {@code load} reads them back. */
@Command(name = "dump", mixinStandardHelpOptions = true,
        description = {"Prints every entry as a JSON line {\"key\":…,\"value\":…}, in key order, for load.",
            "The entries are read a page at a time while the party runs: a write made during the dump may or "
                + "may not be in it, and no entry appears twice."})
final class DumpCommand extends ToolCommand {
    @Override
    public Integer call() {
        try (PartyMap<?> map = target.open()) {
            ScanCommand.print(map, false, Long.MAX_VALUE, new JsonLines(out()));
        }
        return LevelPartyTool.OK;
    }
}
