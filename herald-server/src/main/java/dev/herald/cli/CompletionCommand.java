package dev.herald.cli;
@picocli.CommandLine.Command(name = "completion")
final class CompletionCommand {
}
