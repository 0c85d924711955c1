package io.levelparty.cli;

import io.levelparty.Codecs;
import io.levelparty.PartyMap;
import java.util.Base64;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code levelparty put DIR KEY VALUE}. */
@Command(name = "put", mixinStandardHelpOptions = true,
        description = "Sets KEY to VALUE (base64 with --binary), for every process of the party.")
final class PutCommand extends ToolCommand {
    @Parameters(index = "1", paramLabel = "KEY")
    String key;

    @Parameters(index = "2", paramLabel = "VALUE")
    String value;

    @Override
    public Integer call() {
        if (target.binary) {
            byte[] bytes = Base64.getDecoder().decode(value);
            try (PartyMap<byte[]> map = target.open(Codecs.bytes())) {
                map.put(key, bytes);
            }
        } else {
            try (PartyMap<String> map = target.open(Codecs.utf8())) {
                map.put(key, value);
            }
        }
        return LevelPartyTool.OK;
    }
}
