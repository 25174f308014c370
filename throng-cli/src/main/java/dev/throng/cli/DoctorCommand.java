package dev.throng.cli;

import dev.throng.core.ServerConfig;
import dev.throng.doctor.Doctor;
import dev.throng.doctor.EpollProbe;
import dev.throng.doctor.Report;
import dev.throng.doctor.ReportJson;
import dev.throng.doctor.ReportText;
import dev.throng.doctor.Role;
import dev.throng.doctor.SysctlApplier;
import dev.throng.doctor.SysctlFile;
import dev.throng.doctor.SysctlWriter;
import dev.throng.doctor.SystemReader;
import dev.throng.doctor.Target;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code throng doctor}: the command line of the OS preflight, whose checks are the {@code throng-doctor} library
 * ({@link Doctor}). Read-only unless {@code --apply} is given, and then it writes sysctls only.
 */
@Command(
        name = "doctor",
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Checks this machine's limits against a connection target and prints each one that would stop it, with "
                    + "the exact fix, a ready sysctl file and the open-files limit to set.",
            "Read-only unless --apply is given. Open-files limits are read from this process: run it the way the "
                    + "server runs (same user, same unit) to see the limits the server will get."
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:the target is reachable (warnings allowed)",
            "1:a check fails: the target is not reachable as planned",
            "2:usage error, or an output file could not be written"
        })
public final class DoctorCommand implements Callable<Integer> {

    /** Exit status: nothing stops the target. */
    public static final int REACHABLE = 0;
    /** Exit status: at least one check fails. */
    public static final int NOT_REACHABLE = 1;
    /** Exit status: bad options (picocli's own usage-error code), or --sysctl-out could not be written. */
    public static final int USAGE = CommandLine.ExitCode.USAGE;

    @Option(
            names = "--connections",
            paramLabel = "N",
            defaultValue = "" + Target.DEFAULT_CONNECTIONS,
            description = "Connections to hold at once on this box (default: ${DEFAULT-VALUE}, the figure throng is "
                    + "built for).")
    private long connections;

    @Option(
            names = "--role",
            paramLabel = "ROLE",
            defaultValue = "server",
            converter = RoleConverter.class,
            description = "server (throng serve), client (throng bench) or both ends on this box, as in a loopback "
                    + "bench (default: ${DEFAULT-VALUE}, what production boxes run).")
    private Role role;

    @Option(
            names = "--workers",
            paramLabel = "W",
            defaultValue = "1",
            description =
                    "Processes sharing the connections, as in throng serve --workers W (default: ${DEFAULT-VALUE}; "
                            + "the report says how many the open-files limit requires).")
    private int workers;

    @Option(
            names = "--apply",
            description = "Also write the sysctls that fall short (via /proc/sys; needs root), then check again. "
                    + "Never touches resource limits.")
    private boolean apply;

    @Option(
            names = "--sysctl-out",
            paramLabel = "FILE",
            description = "Write the sysctl file (the content for " + SysctlFile.PATH + ") to FILE.")
    private Path sysctlOut;

    @Option(names = "--json", description = "Print the report as JSON instead of a table.")
    private boolean json;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help and exit.")
    private boolean help;

    @Spec
    private CommandSpec spec;

    private final SystemReader system;
    private final SysctlWriter writer;
    private final EpollProbe epoll;

    /** Checks the real machine. */
    public DoctorCommand() {
        this(SystemReader.machine(), SysctlWriter.procSysUnder(Path.of("/")), EpollProbe.netty());
    }

    /** Checks whatever {@code system} reads and applies through {@code writer}: fixture trees in tests. */
    DoctorCommand(SystemReader system, SysctlWriter writer, EpollProbe epoll) {
        this.system = system;
        this.writer = writer;
        this.epoll = epoll;
    }

    @Override
    public Integer call() {
        Target target;
        try {
            target = new Target(connections, role, workers);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        // The backlog serve asks for is ServerConfig's default; the doctor checks somaxconn against it.
        Doctor doctor = new Doctor(
                system, epoll, ServerConfig.builder().build().listen().backlog());
        Report report = doctor.examine(target);
        List<SysctlApplier.Change> applied = List.of();
        if (apply) {
            applied = SysctlApplier.apply(report, writer);
            report = doctor.examine(target);
        }

        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? ReportJson.render(report, applied, apply) : ReportText.render(report, applied, apply));
        out.flush();

        if (sysctlOut != null) {
            try {
                Files.writeString(sysctlOut, SysctlFile.render(report), StandardCharsets.UTF_8);
            } catch (IOException e) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("throng doctor: cannot write " + sysctlOut + ": " + e);
                err.flush();
                return USAGE;
            }
        }
        return report.reachable() ? REACHABLE : NOT_REACHABLE;
    }

    /** Reads {@code server}, {@code client} or {@code both}, in any case. */
    static final class RoleConverter implements CommandLine.ITypeConverter<Role> {
        @Override
        public Role convert(String value) {
            try {
                return Role.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
