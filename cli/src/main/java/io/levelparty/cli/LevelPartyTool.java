package io.levelparty.cli;

import io.levelparty.PartyException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code levelparty} tool: opens a directory as any process of its party does (following the
 * leader, or leading for as long as it runs and handing over when it exits), so it works beside
 * the running applications and never disturbs them.
 *
 * <p>Exit codes: {@value #OK} done, {@value #NOT_FOUND} key not found ({@code get}),
 * {@value #USAGE} bad arguments or input, {@value #UNAVAILABLE} the party could not be reached or
 * refused the request. Errors go to standard error in one line that names what was wrong.
 */
@Command(name = "levelparty", mixinStandardHelpOptions = true, version = "levelparty 0.1.0",
        description = "Reads and writes a LevelParty map beside the processes that use it.",
        subcommands = {GetCommand.class, PutCommand.class, RemoveCommand.class, ScanCommand.class, DumpCommand.class,
            LoadCommand.class, WatchCommand.class, StatCommand.class, BackupCommand.class, CompactCommand.class})
public final class LevelPartyTool {
    static final int OK = 0;
    static final int NOT_FOUND = 1;
    static final int USAGE = 2;
    static final int UNAVAILABLE = 3;

    private LevelPartyTool() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the tool with {@code args} and returns its exit code. */
    static int run(String... args) {
        CommandLine commandLine = new CommandLine(new LevelPartyTool());
        commandLine.setExitCodeExceptionMapper(e -> e instanceof PartyException ? UNAVAILABLE : USAGE);
        commandLine.setParameterExceptionHandler((e, arguments) -> {
            CommandLine cmd = e.getCommandLine();
            cmd.getErr().println(cmd.getCommandName() + ": " + oneLine(e) + " (see " + cmd.getCommandSpec().qualifiedName()
                    + " --help)");
            cmd.getErr().flush();
            return USAGE;
        });
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println(cmd.getCommandName() + ": " + oneLine(e));
            cmd.getErr().flush();
            return cmd.getExitCodeExceptionMapper().getExitCode(e);
        });
        return commandLine.execute(args);
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        return message.replace('\n', ' ');
    }
}
