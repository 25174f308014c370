package dev.throng.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The {@code throng} command: {@code serve}, {@code bench} and {@code doctor}. A bad option or value of any of them
 * prints one line, {@code throng <command>: <problem>}, and exits with status 2; never a stack trace.
 */
@Command(
        name = "throng",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "A dense WebSocket server: a million idle connections per box.",
        subcommands = {ServeCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        // `throng serve`, every worker process included, leaves out the bench and doctor commands: their classes
        // and option models would stay loaded in each of dozens of server processes that never use them.
        boolean serve = args.length > 0 && args[0].equals("serve");
        System.exit(commandLine(!serve, System.getenv()).execute(args));
    }

    /** The command line with every subcommand, as {@code throng} runs it. */
    public static CommandLine commandLine() {
        return commandLine(true, System.getenv());
    }

    /** As {@link #commandLine()}, with {@code environment} in place of this process's (THRONG_* settings). */
    static CommandLine commandLine(Map<String, String> environment) {
        return commandLine(true, environment);
    }

    private static CommandLine commandLine(boolean withTools, Map<String, String> environment) {
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                return type == ServeCommand.class
                        ? type.cast(new ServeCommand(environment))
                        : CommandLine.defaultFactory().create(type);
            }
        };
        CommandLine line = new CommandLine(new Main(), factory);
        if (withTools) {
            line.addSubcommand(new BenchCommand()).addSubcommand(new DoctorCommand());
        }
        return line.setParameterExceptionHandler(Main::badUsage).setExecutionExceptionHandler(Main::failed);
    }

    /**
     * An unknown option, a value that does not parse, or one a command refuses (as a {@link ParameterException}):
     * one line naming the command and the problem, and the command's usage status (2). Not picocli's default, which
     * follows the message with the whole usage help.
     */
    private static int badUsage(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        return oneLine(command, e.getMessage(), command.getCommandSpec().exitCodeOnInvalidInput());
    }

    /**
     * A command that threw while it ran. An {@link IllegalArgumentException} is a value refused late (every
     * validation in Throng throws it): one line and the usage status, like {@link #badUsage}. An
     * {@link IllegalStateException} (a server that cannot bind), an I/O error or an
     * {@link UnsupportedOperationException} (a feature this build does not have yet) is the machine's answer: one
     * line and the command's failure status. Anything else is a bug, whose stack trace its report needs.
     */
    private static int failed(Exception e, CommandLine command, ParseResult parsed) {
        if (e instanceof IllegalArgumentException) {
            return oneLine(command, e.getMessage(), command.getCommandSpec().exitCodeOnInvalidInput());
        }
        if (!(e instanceof IllegalStateException
                || e instanceof IOException
                || e instanceof UncheckedIOException
                || e instanceof UnsupportedOperationException)) {
            e.printStackTrace(command.getErr());
        }
        return oneLine(command, causes(e), command.getCommandSpec().exitCodeOnExecutionException());
    }

    private static int oneLine(CommandLine command, String message, int status) {
        PrintWriter err = command.getErr();
        String line = String.valueOf(message).replaceAll("\\s*\\R\\s*", " ");
        err.println(command.getCommandSpec().qualifiedName() + ": " + line);
        err.flush();
        return status;
    }

    /** "cannot bind 0.0.0.0:8080: Address already in use": each cause's message that adds something. */
    private static String causes(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            if (text.indexOf(message) < 0) {
                text.append(text.length() == 0 ? "" : ": ").append(message);
            }
        }
        return text.toString();
    }

    /** The version from the jar manifest, when run from the jar. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {
                "throng " + (v == null ? "(development build)" : v),
                "JVM " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"
            };
        }
    }
}
