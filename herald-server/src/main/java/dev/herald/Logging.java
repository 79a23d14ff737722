package dev.herald;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Herald's logging set-up, in code: one line per event on stdout, INFO, with the chatty libraries at WARN and the JSON schema library off. Found by
 * Logback through {@code META-INF/services}. Why not a {@code logback.xml}: reading one runs Logback's XML
 * configurator (Joran), a few hundred classes and a SAX parse on every start; this is a handful of calls. A file
 * named by {@code -Dlogback.configurationFile} still wins: then this configures nothing and Logback reads it.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class Logging extends ContextAwareBase implements Configurator {
    static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n";
    private static final String[] QUIET = {"org.eclipse.jetty", "io.javalin", "com.zaxxer.hikari", "org.flywaydb"};
    private static final String SILENT = "com.networknt.schema";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stdout = new ConsoleAppender<>();
        stdout.setContext(context);
        stdout.setName("STDOUT");
        stdout.setEncoder(encoder);
        stdout.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(stdout);
        for (String name : QUIET) {
            context.getLogger(name).setLevel(Level.WARN);
        }
        // why: the schema library logs a schema's mistakes (a bad regular expression) at ERROR; they reach Herald as
        // exceptions and are answered as 422s naming the mistake, so its own lines would only be noise
        context.getLogger(SILENT).setLevel(Level.OFF);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
