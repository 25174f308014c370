package dev.throng.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.Logger;

/**
 * The command line's logging, set up in code instead of a {@code logback.xml}: Logback's XML configurator loads
 * ~600 classes (Joran and a SAX parser) into every worker process, 2-3 MiB of metaspace, code and symbols each,
 * multiplied by dozens of workers (docs/benchmarks.md, "An idle worker"). One line per event ({@link LineLayout});
 * each worker process of {@code throng serve} tags its lines with its index ({@code -Dthrong.worker}).
 *
 * <p>A user's own configuration still wins: with {@code -Dlogback.configurationFile} set, this steps aside and
 * Logback reads that file as usual. Found by Logback through {@code META-INF/services}.
 */
public final class LogSetup extends ContextAwareBase implements Configurator {

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        LineLayout layout = new LineLayout(System.getProperty("throng.worker", "main"));
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.start();
        ConsoleAppender<ILoggingEvent> out = new ConsoleAppender<>();
        out.setContext(context);
        out.setName("OUT");
        out.setEncoder(encoder);
        out.start();
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(out);
        context.getLogger("io.netty").setLevel(Level.WARN);
        // Lettuce's INFO lines (its thread pools' sizes) tell an operator nothing; RedisBroker logs the node's state.
        context.getLogger("io.lettuce").setLevel(Level.WARN);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
