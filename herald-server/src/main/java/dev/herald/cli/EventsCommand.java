package dev.herald.cli;
@picocli.CommandLine.Command(name = "events")
final class EventsCommand {
}
