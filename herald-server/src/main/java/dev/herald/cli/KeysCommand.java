package dev.herald.cli;
@picocli.CommandLine.Command(name = "keys")
final class KeysCommand {
}
