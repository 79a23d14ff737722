package dev.herald;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Herald's logging set-up in code (no logback.xml to parse at start): what it configures, and that Logback finds it. */
class LoggingTest {
    @Test
    void logbackFindsHeraldsSetUpThroughItsServiceFile() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();

        assertThat(context.getLogger("org.flywaydb").getLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDOUT")).isNotNull();
    }

    @Test
    void oneLinePerEventOnStdoutAtInfoWithTheChattyLibrariesAtWarn() {
        LoggerContext context = new LoggerContext();

        assertThat(new Logging().configure(context)).isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);

        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertThat(root.getLevel()).isEqualTo(Level.INFO);
        ConsoleAppender<?> stdout = (ConsoleAppender<?>) root.getAppender("STDOUT");
        assertThat(stdout.isStarted()).isTrue();
        assertThat(stdout.getTarget()).isEqualTo("System.out");
        assertThat(((PatternLayoutEncoder) stdout.getEncoder()).getPattern()).isEqualTo("%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n");
        for (String quiet : new String[] {"org.eclipse.jetty", "io.javalin", "com.zaxxer.hikari", "org.flywaydb"}) {
            assertThat(context.getLogger(quiet).getLevel()).as(quiet).isEqualTo(Level.WARN);
        }
        assertThat(context.getLogger("com.networknt.schema").getLevel()).isEqualTo(Level.OFF);
        assertThat(context.getLogger("dev.herald").getEffectiveLevel()).isEqualTo(Level.INFO);
    }

    @Test
    void aConfigurationFileNamedOnTheCommandLineWins() {
        String before = System.getProperty("logback.configurationFile");
        System.setProperty("logback.configurationFile", "/etc/herald/logback.xml");
        try {
            LoggerContext context = new LoggerContext();

            assertThat(new Logging().configure(context)).isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
            assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDOUT")).isNull();
        } finally {
            if (before == null) {
                System.clearProperty("logback.configurationFile");
            } else {
                System.setProperty("logback.configurationFile", before);
            }
        }
    }
}
