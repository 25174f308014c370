package dev.throng.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code throng} command: {@code serve}, {@code bench} and {@code doctor}. */
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
        System.exit(commandLine(!serve).execute(args));
    }

    /** The command line with every subcommand, as {@code throng} runs it. */
    public static CommandLine commandLine() {
        return commandLine(true);
    }

    private static CommandLine commandLine(boolean withTools) {
        CommandLine line = new CommandLine(new Main());
        if (withTools) {
            line.addSubcommand(new BenchCommand()).addSubcommand(new DoctorCommand());
        }
        return line;
    }

    /** The version from the jar manifest, when run from the jar. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"throng " + (v == null ? "(development build)" : v),
                "JVM " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
