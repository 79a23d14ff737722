package dev.herald.cli;
@picocli.CommandLine.Command(name = "portal-link")
final class PortalLinkCommand {
}
