package dev.throng.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/** The command line's logging, set up in code: the worker's tag in every line, and a user's file still wins. */
class LogSetupTest {

    @AfterEach
    void clearProperties() {
        System.clearProperty("throng.worker");
        System.clearProperty("logback.configurationFile");
    }

    @Test
    void tagsEachLineWithTheWorkerAndQuietsNetty() {
        System.setProperty("throng.worker", "7");
        LoggerContext context = new LoggerContext();
        LogSetup setup = new LogSetup();
        setup.setContext(context);

        assertThat(setup.configure(context)).isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertThat(root.getLevel()).isEqualTo(Level.INFO);
        ConsoleAppender<ILoggingEvent> out = (ConsoleAppender<ILoggingEvent>) root.getAppender("OUT");
        assertThat(out.isStarted()).isTrue();
        LoggingEvent event = new LoggingEvent(
                "x",
                context.getLogger("dev.throng.cli.Supervisor"),
                Level.WARN,
                "worker {} exited",
                new IllegalStateException("boom"),
                new Object[] {3});
        String line = ((LayoutWrappingEncoder<ILoggingEvent>) out.getEncoder())
                .getLayout()
                .doLayout(event);
        assertThat(line)
                .matches("(?s)\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  \\[w7\\] Supervisor - worker 3 exited"
                        + "\\R(java\\.lang\\.)?IllegalStateException: boom\\R\\tat .*");
        assertThat(context.getLogger("io.netty.channel").getEffectiveLevel()).isEqualTo(Level.WARN);
        context.stop();
    }

    @Test
    void stepsAsideForTheUsersOwnConfigurationFile() {
        System.setProperty("logback.configurationFile", "/etc/throng/logback.xml");
        LoggerContext context = new LoggerContext();
        LogSetup setup = new LogSetup();
        setup.setContext(context);

        assertThat(setup.configure(context)).isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("OUT"))
                .isNull();
    }
}
