package dev.herald.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code herald <command>}: the launcher's entry point. {@code serve} runs Herald; every other command calls a running
 * Herald's API (docs/cli.md). Exit codes: {@link #OK}, {@link #API_ERROR}, {@link #USAGE}.
 */
@Command(name = "herald", mixinStandardHelpOptions = true, version = "Herald 0.1.0",
        description = "A durable webhook delivery service. 'herald serve' runs it; the other commands call a running"
                + " Herald's API (HERALD_URL, HERALD_TOKEN).",
        subcommands = {ServeCommand.class, TenantsCommand.class, KeysCommand.class, EventTypesCommand.class,
                EndpointsCommand.class, EventsCommand.class, DeliveriesCommand.class, PortalLinkCommand.class,
                ListenCommand.class, CompletionCommand.class, TrainCommand.class})
public final class Main implements Callable<Integer> {
    /** The command did what it was asked. */
    static final int OK = 0;
    /** The API answered an error (its detail is on stderr), or Herald could not be reached. */
    static final int API_ERROR = 1;
    /** The command line was wrong: an unknown option, a missing argument, a bad value or file. */
    static final int USAGE = 2;

    private final CliEnvironment environment;

    @Spec
    CommandSpec spec;

    public Main() {
        this(CliEnvironment.system());
    }

    Main(CliEnvironment environment) {
        this.environment = environment;
    }

    CliEnvironment environment() {
        return environment;
    }

    public static void main(String[] args) {
        System.exit(commandLine(new Main()).execute(args));
    }

    /** The command line with Herald's error handling: an API error is exit 1, a usage error one short line and exit 2. */
    static CommandLine commandLine(Main main) {
        CommandLine cli = new CommandLine(main);
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            if (e instanceof ApiException api) {
                commandLine.getErr().println("herald: " + api.line());
                commandLine.getErr().flush();
                return API_ERROR;
            }
            throw e;
        });
        cli.setParameterExceptionHandler((e, args) -> usage(e));
        return cli;
    }

    private static int usage(ParameterException e) {
        CommandLine at = e.getCommandLine();
        var err = at.getErr();
        err.println("herald: " + e.getMessage());
        UnmatchedArgumentException.printSuggestions(e, err);
        // why: the message says what is wrong; the whole usage text would bury it
        err.println("Run '" + at.getCommandSpec().qualifiedName() + " --help' for its options.");
        err.flush();
        return USAGE;
    }

    /** {@code herald} alone: the list of commands, on stderr, as a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return USAGE;
    }
}
