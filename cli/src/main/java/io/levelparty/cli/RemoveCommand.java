package io.levelparty.cli;

import io.levelparty.PartyMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code levelparty rm DIR KEY}. */
@Command(name = "rm", mixinStandardHelpOptions = true, description = "Removes KEY, if present.")
final class RemoveCommand extends ToolCommand {
    @Parameters(index = "1", paramLabel = "KEY")
    String key;

    @Override
    public Integer call() {
        try (PartyMap<?> map = target.open()) {
            map.remove(key);
        }
        return LevelPartyTool.OK;
    }
}
