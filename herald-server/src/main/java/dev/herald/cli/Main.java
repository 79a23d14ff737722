package dev.herald.cli;

import java.util.List;
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
                + " Herald's API (HERALD_URL, HERALD_TOKEN).")
public final class Main implements Callable<Integer> {
    /** The command did what it was asked. */
    static final int OK = 0;
    /** The API answered an error (its detail is on stderr), or Herald could not be reached. */
    static final int API_ERROR = 1;
    /** The command line was wrong: an unknown option, a missing argument, a bad value or file. */
    static final int USAGE = 2;

    /**
     * Every command, in the order {@code herald --help} lists them. Added in code rather than named in
     * {@code @Command(subcommands)}, so that a run builds only the command it names: picocli reads every command's
     * annotations when it builds the tree, and its classes (Java 5 bytecode) cannot be kept in the start-up cache,
     * which made that about a quarter of the time {@code ./herald serve} took to be ready.
     */
    private static final List<Class<?>> COMMANDS = List.of(ServeCommand.class, TenantsCommand.class, KeysCommand.class,
            EventTypesCommand.class, EndpointsCommand.class, EventsCommand.class, DeliveriesCommand.class,
            PortalLinkCommand.class, ListenCommand.class, CompletionCommand.class, TrainCommand.class);

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
        System.exit(commandLine(new Main(), args).execute(args));
    }

    /**
     * The command line for {@code args}, with Herald's error handling: an API error is exit 1, a usage error one short
     * line and exit 2. It holds only the command named first; every command when none is named (the list, a
     * suggestion for a misspelt one), or for {@code completion}, whose script describes them all.
     */
    static CommandLine commandLine(Main main, String... args) {
        List<Class<?>> commands = COMMANDS;
        if (args.length > 0) {
            for (Class<?> command : COMMANDS) {
                if (command != CompletionCommand.class && command.getAnnotation(Command.class).name().equals(args[0])) {
                    commands = List.of(command);
                }
            }
        }
        CommandLine cli = new CommandLine(main);
        for (Class<?> command : commands) {
            // why: a CommandLine of its own, as picocli applies a command's model transformer (serve's flags) only
            // when it builds the command itself, not when a class is added to a tree already built
            cli.addSubcommand(new CommandLine(command));
        }
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            if (e instanceof ApiException api) {
                commandLine.getErr().println("herald: " + api.line());
                commandLine.getErr().flush();
                return API_ERROR;
            }
            throw e;
        });
        cli.setParameterExceptionHandler((e, line) -> usage(e));
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
