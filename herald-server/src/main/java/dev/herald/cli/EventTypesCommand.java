package dev.herald.cli;
@picocli.CommandLine.Command(name = "event-types")
final class EventTypesCommand {
}
