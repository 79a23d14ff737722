package dev.herald.cli;
@picocli.CommandLine.Command(name = "endpoints")
final class EndpointsCommand {
}
