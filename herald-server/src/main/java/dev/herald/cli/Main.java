package dev.herald.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code herald <command>}: the launcher's entry point. */
@Command(name = "herald", mixinStandardHelpOptions = true, version = "Herald 0.1.0",
        description = "A durable webhook delivery service.",
        subcommands = {ServeCommand.class, TrainCommand.class})
public final class Main implements Runnable {
    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
