package io.levelparty.cli;

import io.levelparty.PartyMap;
import java.util.Base64;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code levelparty get DIR KEY}: prints the value, or exits with 1 if there is none. */
@Command(name = "get", mixinStandardHelpOptions = true,
        description = "Prints the value of KEY (base64 with --binary); exits with 1 if KEY is absent.")
final class GetCommand extends ToolCommand {
    @Parameters(index = "1", paramLabel = "KEY")
    String key;

    @Override
    public Integer call() {
        try (PartyMap<?> map = target.open()) {
            Object value = map.get(key);
            if (value == null) {
                err().println("get: no key \"" + key + "\" in " + target.location);
                return LevelPartyTool.NOT_FOUND;
            }
            out().println(
                    value instanceof byte[] bytes ? Base64.getEncoder().encodeToString(bytes) : value);
            return LevelPartyTool.OK;
        }
    }
}
