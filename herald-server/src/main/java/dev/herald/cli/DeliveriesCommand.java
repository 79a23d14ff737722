package dev.herald.cli;
@picocli.CommandLine.Command(name = "deliveries")
final class DeliveriesCommand {
}
