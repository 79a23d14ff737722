package dev.herald.cli;
@picocli.CommandLine.Command(name = "listen")
final class ListenCommand {
}
