package io.levelparty.cli;

import io.levelparty.Codec;
import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import io.levelparty.PartyOptions;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** The map a command works on, and how long it may wait: mixed into every command. */
final class Target {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR",
            description = "The LevelDB directory of the party (or a URI such as etcd://host:port/prefix).")
    String location;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s",
            description = "How long to wait for the party, and for each request: 500ms, 10s, 2m (default ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--binary", description = "Values are bytes, written as base64, rather than UTF-8 text.")
    boolean binary;

    /** Opens the map with values as text, or as bytes with {@code --binary}. */
    PartyMap<?> open() {
        return binary ? open(Codecs.bytes()) : open(Codecs.utf8());
    }

    <V> PartyMap<V> open(Codec<V> codec) {
        Duration wait = duration();
        PartyOptions<V> options = PartyOptions.of(codec).openTimeout(wait).requestTimeout(wait);
        if (location.contains("://")) {
            return LevelParty.open(URI.create(location), options);
        }
        Path dir = Path.of(location);
        if (!Files.isDirectory(dir)) {
            // The library would create it; a tool that reads must not make a party out of a typo.
            throw new IllegalArgumentException("no such directory: " + dir.toAbsolutePath());
        }
        return LevelParty.open(dir, options);
    }

    private Duration duration() {
        String t = timeout.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            switch (t.charAt(t.length() - 1)) {
                case 's': return Duration.ofSeconds(n);
                case 'm': return Duration.ofMinutes(n);
                default: break;
            }
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            // reported below
        }
        throw new ParameterException(spec.commandLine(), "Invalid --timeout '" + timeout
                + "': give a number with ms, s or m, e.g. 500ms or 10s");
    }
}
