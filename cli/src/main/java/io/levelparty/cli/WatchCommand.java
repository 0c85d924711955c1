package io.levelparty.cli;

import io.levelparty.Change;
import io.levelparty.PartyMap;
import io.levelparty.Subscription;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code levelparty watch DIR [--prefix P]}: prints each committed change until stopped. */
@Command(name = "watch", mixinStandardHelpOptions = true,
        description = {"Prints each change as it is committed, by any process, as a JSON line: "
                + "{\"put\":key,\"value\":…,\"seq\":n}, {\"remove\":key,\"seq\":n}, or {\"gap\":reason} where changes "
                + "may have been missed; until stopped (Ctrl-C)."})
final class WatchCommand extends ToolCommand {
    @Option(names = "--prefix", paramLabel = "P", description = "Only keys that begin with P.")
    String prefix;

    @Override
    public Integer call() throws InterruptedException {
        JsonLines out = new JsonLines(out());
        CountDownLatch stopped = new CountDownLatch(1);
        PartyMap<?> map = target.open();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            map.close(); // hands the lead over if this process has it
            stopped.countDown();
        }, "levelparty-watch-stop"));
        Subscription subscription = prefix == null
                ? map.subscribe(change -> out.print(line(change)))
                : subscribe(map, out);
        System.err.println("watching " + target.location + (prefix == null ? "" : " for keys beginning with " + prefix));
        stopped.await();
        subscription.close();
        return LevelPartyTool.OK;
    }

    private Subscription subscribe(PartyMap<?> map, JsonLines out) {
        return map.subscribe(prefix, true, ScanCommand.endOfPrefix(prefix), false, change -> out.print(line(change)));
    }

    private static com.fasterxml.jackson.databind.JsonNode line(Change<?> change) {
        if (change instanceof Change.Put<?> put) {
            return JsonLines.withValue(JsonLines.object().put("put", put.key()), "value", put.value())
                    .put("seq", put.sequence());
        }
        if (change instanceof Change.Remove<?> remove) {
            return JsonLines.object().put("remove", remove.key()).put("seq", remove.sequence());
        }
        return JsonLines.object().put("gap", ((Change.Gap<?>) change).reason().name());
    }
}
