package dev.throng.doctor;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Reads the machine and checks it against a {@link Target}: every limit that would stop it, with the fix.
 * Read-only; {@link SysctlApplier} is the only code that writes.
 *
 * <pre>
 * Report report = new Doctor(SystemReader.machine(), EpollProbe.netty(), 4096).examine(Target.defaults());
 * report.reachable();
 * </pre>
 *
 * <p>Each call to {@link #examine} reads the machine afresh; a doctor keeps nothing between calls.
 */
public final class Doctor {

    private final SystemReader system;
    private final EpollProbe epoll;
    private final long serverBacklog;

    /**
     * @param system        what the checks read: {@link SystemReader#machine()}, or a fixture tree
     * @param epoll         whether Netty's epoll transport loads
     * @param serverBacklog the listen backlog the server asks for ({@code throng serve} passes ServerConfig's),
     *                      which {@code somaxconn} and {@code tcp_max_syn_backlog} must not cut
     */
    public Doctor(SystemReader system, EpollProbe epoll, long serverBacklog) {
        this.system = system;
        this.epoll = epoll;
        this.serverBacklog = serverBacklog;
    }

    /** Runs every check for {@code target}. */
    public Report examine(Target target) {
        return new Examination(target).run();
    }

    /** The state of one run: the target, the rows so far and the sysctl file's lines. */
    private final class Examination {
        private final Target target;
        private final long fdsPerProcess;
        private final long limitNofile;
        private final List<Check> checks = new ArrayList<>();
        private final List<Sysctl> sysctls = new ArrayList<>();
        private OptionalInt workersNeeded = OptionalInt.empty();

        Examination(Target target) {
            this.target = target;
            this.fdsPerProcess = Sizing.fdsPerProcess(target);
            this.limitNofile = Sizing.roundUpToPowerOfTwo(fdsPerProcess);
        }

        Report run() {
            Optional<OpenFilesLimit> limits = OpenFilesLimit.read(system);
            OptionalLong nrOpen = readLong("fs.nr_open");
            nofileSoft(limits);
            nofileHard(limits);
            systemdLimit(nrOpen);
            nrOpen(nrOpen);
            fileMax();
            somaxconn();
            synBacklog();
            portRange();
            conntrack();
            tcpMem();
            memory();
            epoll();
            return new Report(target, checks, sysctls, limitNofile, workersNeeded);
        }

        private void nofileSoft(Optional<OpenFilesLimit> limits) {
            String needed = ">= " + fdsPerProcess;
            if (limits.isEmpty()) {
                add(
                        CheckId.NOFILE_SOFT,
                        "unreadable",
                        needed,
                        Status.WARN,
                        "could not read /proc/self/limits; " + "check with: ulimit -Sn");
                return;
            }
            long soft = limits.get().soft();
            if (soft >= fdsPerProcess) {
                add(CheckId.NOFILE_SOFT, OpenFilesLimit.show(soft), needed, Status.OK, "");
                return;
            }
            // HotSpot raises its soft limit to the hard one at start (-XX:+MaxFDLimit, on by default on Linux), so
            // a low soft limit only bites non-JVM tools and JVMs started with -XX:-MaxFDLimit.
            add(
                    CheckId.NOFILE_SOFT,
                    OpenFilesLimit.show(soft),
                    needed,
                    Status.WARN,
                    "ulimit -Sn " + Math.min(limitNofile, limits.get().hard()) + " (the JVM raises soft to hard at "
                            + "start via -XX:+MaxFDLimit, so only the hard limit binds throng)");
        }

        private void nofileHard(Optional<OpenFilesLimit> limits) {
            String needed = ">= " + fdsPerProcess;
            if (limits.isEmpty()) {
                add(
                        CheckId.NOFILE_HARD,
                        "unreadable",
                        needed,
                        Status.WARN,
                        "could not read /proc/self/limits; " + "check with: ulimit -Hn");
                return;
            }
            long hard = limits.get().hard();
            if (hard >= fdsPerProcess) {
                add(CheckId.NOFILE_HARD, OpenFilesLimit.show(hard), needed, Status.OK, "");
                return;
            }
            StringBuilder fix = new StringBuilder()
                    .append("raise it to ")
                    .append(limitNofile)
                    .append(": LimitNOFILE=")
                    .append(limitNofile)
                    .append(" in the systemd unit (drop-in below), or '")
                    .append(LimitsSnippet.limitsLine(limitNofile))
                    .append("' in /etc/security/limits.d for login shells");
            // The count throng serve --workers auto picks under this limit: one rule, WorkerSizing's.
            OptionalInt workers = WorkerSizing.workersFor(target.connections(), hard);
            if (workers.isPresent()) {
                workersNeeded = workers;
                int w = workers.getAsInt();
                fix.append("; where it cannot be raised (containers), split the load over ")
                        .append(w)
                        .append(" processes of up to ")
                        .append(WorkerSizing.busiest(target.connections(), w))
                        .append(" connections")
                        .append(
                                target.role().accepts()
                                        ? ": throng serve --workers auto --max-connections " + target.connections()
                                                + " picks " + w
                                        : "")
                        .append(" (check: throng doctor --workers ")
                        .append(w)
                        .append(')');
            } else {
                fix.append("; a hard limit of ")
                        .append(hard)
                        .append(" leaves too few descriptors after the ")
                        .append(WorkerSizing.RESERVED_FDS)
                        .append(" (or a quarter of the limit) each process reserves, "
                                + "so more processes do not help");
            }
            add(CheckId.NOFILE_HARD, OpenFilesLimit.show(hard), needed, Status.FAIL, fix.toString());
        }

        private void systemdLimit(OptionalLong nrOpen) {
            String needed = "LimitNOFILE >= " + fdsPerProcess;
            if (!target.role().accepts()) {
                add(
                        CheckId.SYSTEMD_LIMIT_NOFILE,
                        "-",
                        "-",
                        Status.SKIP,
                        "role client: throng.service runs the " + "server only");
                return;
            }
            Optional<String> unit = SystemdUnit.find(system);
            if (unit.isEmpty()) {
                add(
                        CheckId.SYSTEMD_LIMIT_NOFILE,
                        SystemdUnit.UNIT + " not installed",
                        needed,
                        Status.SKIP,
                        "to run under systemd, install deploy/throng.service (LimitNOFILE=1048576)");
                return;
            }
            SystemdUnit.Limit limit = SystemdUnit.limitNofile(system, unit.get(), nrOpen.orElse(0));
            String current = limit.text() + " (" + limit.source() + ")";
            if (limit.hard() >= fdsPerProcess) {
                add(CheckId.SYSTEMD_LIMIT_NOFILE, current, needed, Status.OK, "");
            } else {
                add(
                        CheckId.SYSTEMD_LIMIT_NOFILE,
                        current,
                        needed,
                        Status.FAIL,
                        "LimitNOFILE=" + limitNofile
                                + " in /etc/systemd/system/" + SystemdUnit.UNIT
                                + ".d/limits.conf (below), then systemctl "
                                + "daemon-reload && systemctl restart throng");
            }
        }

        private void nrOpen(OptionalLong nrOpen) {
            String key = "fs.nr_open";
            String needed = ">= " + limitNofile;
            if (nrOpen.isEmpty()) {
                unreadable(
                        CheckId.NR_OPEN,
                        key,
                        needed,
                        Long.toString(limitNofile),
                        "ceiling of RLIMIT_NOFILE: LimitNOFILE=" + limitNofile + " must fit under it");
                return;
            }
            long current = nrOpen.getAsLong();
            // Below the per-process need nothing can raise the hard limit far enough; between the need and the
            // rounded LimitNOFILE the recommended drop-in would be refused, so it is worth a warning.
            Status status = current >= limitNofile ? Status.OK : current >= fdsPerProcess ? Status.WARN : Status.FAIL;
            add(
                    CheckId.NR_OPEN,
                    Long.toString(current),
                    needed,
                    status,
                    status == Status.OK
                            ? ""
                            : "sysctl -w fs.nr_open=" + limitNofile
                                    + " (the hard RLIMIT_NOFILE cannot be raised above it)");
            setting(
                    key,
                    current,
                    limitNofile,
                    status,
                    "ceiling of RLIMIT_NOFILE: LimitNOFILE=" + limitNofile + " must fit under it");
        }

        private void fileMax() {
            String key = "fs.file-max";
            long need = Sizing.systemFds(target);
            long recommended = Sizing.roundUpToPowerOfTwo(need);
            String reason = "open files system-wide: " + target.socketsOnBox() + " sockets, "
                    + WorkerSizing.RESERVED_FDS + " per process, " + Sizing.FD_HEADROOM_FOR_OS + " for the OS";
            OptionalLong current = readLong(key);
            if (current.isEmpty()) {
                unreadable(CheckId.FILE_MAX, key, ">= " + need, Long.toString(recommended), reason);
                return;
            }
            minimum(
                    CheckId.FILE_MAX,
                    key,
                    current.getAsLong(),
                    need,
                    recommended,
                    Status.FAIL,
                    " (past it, opening any file fails with ENFILE)",
                    reason);
        }

        private void somaxconn() {
            String key = "net.core.somaxconn";
            if (!target.role().accepts()) {
                add(CheckId.SOMAXCONN, "-", "-", Status.SKIP, "role client: nothing listens");
                return;
            }
            String reason = "the kernel caps listen(backlog) at this; throng serve asks for " + serverBacklog;
            OptionalLong current = readLong(key);
            if (current.isEmpty()) {
                unreadable(CheckId.SOMAXCONN, key, ">= " + serverBacklog, Long.toString(serverBacklog), reason);
                return;
            }
            minimum(
                    CheckId.SOMAXCONN,
                    key,
                    current.getAsLong(),
                    serverBacklog,
                    serverBacklog,
                    Status.WARN,
                    " (the kernel silently cuts throng's backlog of " + serverBacklog + " to " + current.getAsLong()
                            + "; a reconnect storm then drops SYNs and clients retry after 1 s, 3 s, 7 s)",
                    reason);
        }

        private void synBacklog() {
            String key = "net.ipv4.tcp_max_syn_backlog";
            if (!target.role().accepts()) {
                add(CheckId.SYN_BACKLOG, "-", "-", Status.SKIP, "role client: nothing listens");
                return;
            }
            String reason = "half-open connections per listener, matched to the listen backlog of " + serverBacklog;
            OptionalLong current = readLong(key);
            if (current.isEmpty()) {
                unreadable(CheckId.SYN_BACKLOG, key, ">= " + serverBacklog, Long.toString(serverBacklog), reason);
                return;
            }
            minimum(
                    CheckId.SYN_BACKLOG,
                    key,
                    current.getAsLong(),
                    serverBacklog,
                    serverBacklog,
                    Status.WARN,
                    " (with tcp_syncookies=0 SYNs are dropped once 3/4 of it is in use)",
                    reason);
        }

        private void portRange() {
            String key = "net.ipv4.ip_local_port_range";
            if (!target.role().connects()) {
                add(
                        CheckId.PORT_RANGE,
                        "-",
                        "-",
                        Status.SKIP,
                        "role server: accepted connections take no local " + "port");
                return;
            }
            String recommendedText = Sizing.PORT_RANGE_LOW + " " + Sizing.PORT_RANGE_HIGH;
            String reason = "local ports per (source address, server address:port): the widest unprivileged range";
            long n = target.connections();
            long recommendedPorts = Sizing.portsInRange(Sizing.PORT_RANGE_LOW, Sizing.PORT_RANGE_HIGH);
            long recommendedAddresses = Sizing.sourceAddressesFor(n, recommendedPorts);
            String needed = recommendedText + " (" + recommendedPorts + " ports: "
                    + plural(recommendedAddresses, "source address") + ")";
            Optional<long[]> range = readLongs(key, 2);
            if (range.isEmpty()) {
                unreadable(CheckId.PORT_RANGE, key, needed, recommendedText, reason);
                return;
            }
            long low = range.get()[0];
            long high = range.get()[1];
            long ports = Sizing.portsInRange(low, high);
            long addresses = Sizing.sourceAddressesFor(n, ports);
            String current = low + " " + high + " (" + ports + " ports: " + plural(addresses, "source address") + ")";
            if (n <= ports) {
                add(CheckId.PORT_RANGE, current, needed, Status.OK, "");
                sysctls.add(new Sysctl(key, low + " " + high, low + " " + high, reason));
                return;
            }
            long newLow = Math.min(low, Sizing.PORT_RANGE_LOW);
            long newHigh = Math.max(high, Sizing.PORT_RANGE_HIGH);
            long newAddresses = Sizing.sourceAddressesFor(n, Sizing.portsInRange(newLow, newHigh));
            // Not a FAIL: the client may already spread over enough addresses or server ports; the doctor cannot see.
            add(
                    CheckId.PORT_RANGE,
                    current,
                    needed,
                    Status.WARN,
                    "sysctl -w " + key + "='" + newLow + " "
                            + newHigh + "', then spread the client over " + plural(newAddresses, "source address")
                            + " (on loopback 127.0.0.1-127.0.0." + Math.min(newAddresses, 254)
                            + ") or as many server ports: "
                            + "one source address holds " + Sizing.portsInRange(newLow, newHigh)
                            + " connections per server "
                            + "address:port");
            sysctls.add(new Sysctl(key, low + " " + high, newLow + " " + newHigh, reason));
        }

        private void conntrack() {
            String key = "net.netfilter.nf_conntrack_max";
            if (system.read("/proc/sys/net/netfilter/nf_conntrack_max").isEmpty()) {
                add(CheckId.CONNTRACK_MAX, "not loaded", "-", Status.SKIP, "");
                return;
            }
            long need = Sizing.conntrackEntries(target);
            long recommended = Sizing.roundUpToPowerOfTwo(need);
            String reason = "one tracked entry per connection, plus " + Sizing.CONNTRACK_HEADROOM_PERCENT
                    + "% for connections closing (TIME_WAIT) while clients reconnect";
            OptionalLong current = readLong(key);
            if (current.isEmpty()) {
                unreadable(CheckId.CONNTRACK_MAX, key, ">= " + need, Long.toString(recommended), reason);
                return;
            }
            minimum(
                    CheckId.CONNTRACK_MAX,
                    key,
                    current.getAsLong(),
                    need,
                    recommended,
                    Status.FAIL,
                    " (a full table drops new connections: 'nf_conntrack: table full, dropping packet'), or exempt "
                            + "throng's port: iptables -t raw -A PREROUTING -p tcp --dport <port> -j NOTRACK",
                    reason);
        }

        private void tcpMem() {
            String key = "net.ipv4.tcp_mem";
            long need = Sizing.tcpPages(target);
            long[] recommended = Sizing.tcpMem(need);
            String reason = "TCP buffer pages (low, pressure, cap): a message to all " + target.socketsOnBox()
                    + " sockets holds a page each";
            String needed = "pressure, cap >= " + need + " pages (" + Units.bytes(need * 4096) + ")";
            Optional<long[]> current = readLongs(key, 3);
            if (current.isEmpty()) {
                unreadable(CheckId.TCP_MEM, key, needed, join(recommended), reason);
                return;
            }
            long[] now = current.get();
            long[] value = {
                Math.max(now[0], recommended[0]), Math.max(now[1], recommended[1]), Math.max(now[2], recommended[2])
            };
            Status status = now[2] < need ? Status.FAIL : now[1] < need ? Status.WARN : Status.OK;
            String fix = status == Status.OK
                    ? ""
                    : "sysctl -w " + key + "='" + join(value) + "' (in pages; "
                            + (status == Status.FAIL
                                    ? "past the cap the kernel refuses socket memory and drops data"
                                    : "past pressure the kernel shrinks every socket's buffers")
                            + ")";
            add(CheckId.TCP_MEM, join(now) + " (cap " + Units.bytes(now[2] * 4096) + ")", needed, status, fix);
            sysctls.add(new Sysctl(key, join(now), status == Status.OK ? join(now) : join(value), reason));
        }

        private void memory() {
            long need = Sizing.memoryBytes(target);
            String needed = ">= " + Units.bytes(need);
            OptionalLong availableKb = memAvailableKb();
            if (availableKb.isEmpty()) {
                add(
                        CheckId.MEMORY,
                        "unreadable",
                        needed,
                        Status.WARN,
                        "could not read MemAvailable from " + "/proc/meminfo; check with: free -g");
                return;
            }
            long available = availableKb.getAsLong() * 1024;
            String current = Units.bytes(available) + " available";
            if (available >= need) {
                add(CheckId.MEMORY, current, needed, Status.OK, "");
                return;
            }
            long fits = Sizing.connectionsThatFit(available, target.role(), target.workers());
            add(
                    CheckId.MEMORY,
                    current,
                    needed,
                    Status.FAIL,
                    "add RAM, or plan for at most " + fits
                            + " connections (--connections " + fits + "); estimate per connection: "
                            + Units.bytes(Sizing.bytesPerConnection(target.role())) + " (kernel "
                            + MeasuredCosts.KERNEL_BYTES_PER_IDLE_SOCKET + " B + heap " + Sizing.HEAP_PER_LIVE_BYTE
                            + " x "
                            + MeasuredCosts.JVM_HEAP_BYTES_PER_CONNECTION + " B per socket) + "
                            + Units.bytes(MeasuredCosts.JVM_BASELINE_BYTES_PER_PROCESS) + " per process");
        }

        private void epoll() {
            Optional<String> cause = epoll.unavailabilityCause();
            if (cause.isEmpty()) {
                add(CheckId.EPOLL, "loads", "loads", Status.OK, "");
                return;
            }
            // --workers shares one port through SO_REUSEPORT, which throng sets on epoll only.
            boolean needsReusePort = target.workers() > 1 && target.role().accepts();
            add(
                    CheckId.EPOLL,
                    "unavailable: " + cause.get(),
                    "loads",
                    needsReusePort ? Status.FAIL : Status.WARN,
                    (needsReusePort
                                    ? "--workers needs SO_REUSEPORT, which throng sets on epoll only; "
                                    : "throng falls back to NIO (more garbage per event, no SO_REUSEPORT); ")
                            + "put netty-transport-native-epoll (linux-x86_64) on the class path and make sure "
                            + "java.io.tmpdir is not mounted noexec (or set -Dio.netty.native.workdir)");
        }

        /** A sysctl whose value must be at least {@code need}; {@code recommended} is what the fix sets. */
        private void minimum(
                CheckId id,
                String key,
                long current,
                long need,
                long recommended,
                Status below,
                String why,
                String reason) {
            Status status = current >= need ? Status.OK : below;
            long value = Math.max(current, recommended);
            add(
                    id,
                    Long.toString(current),
                    ">= " + need,
                    status,
                    status == Status.OK ? "" : "sysctl -w " + key + "=" + value + why);
            setting(key, current, value, status, reason);
        }

        private void setting(String key, long current, long value, Status status, String reason) {
            long written = status == Status.OK ? current : Math.max(current, value);
            sysctls.add(new Sysctl(key, Long.toString(current), Long.toString(written), reason));
        }

        private void unreadable(CheckId id, String key, String needed, String value, String reason) {
            add(
                    id,
                    "unreadable",
                    needed,
                    Status.WARN,
                    "could not read " + procPath(key) + "; sysctl -w " + key + "='" + value + "' if the kernel has it");
            sysctls.add(new Sysctl(key, null, value, reason));
        }

        private void add(CheckId id, String current, String needed, Status status, String fix) {
            checks.add(new Check(id, current, needed, status, fix));
        }
    }

    private OptionalLong readLong(String key) {
        return readLongs(key, 1).map(v -> OptionalLong.of(v[0])).orElse(OptionalLong.empty());
    }

    /** The first {@code count} whitespace-separated numbers of a sysctl; empty if missing or not numbers. */
    private Optional<long[]> readLongs(String key, int count) {
        Optional<String> text = system.read(procPath(key));
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String[] fields = text.get().trim().split("\\s+");
        if (fields.length < count) {
            return Optional.empty();
        }
        long[] values = new long[count];
        try {
            for (int i = 0; i < count; i++) {
                values[i] = Long.parseLong(fields[i]);
            }
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.of(values);
    }

    private OptionalLong memAvailableKb() {
        Optional<String> meminfo = system.read("/proc/meminfo");
        if (meminfo.isEmpty()) {
            return OptionalLong.empty();
        }
        for (String line : meminfo.get().split("\n")) {
            if (line.startsWith("MemAvailable:")) {
                String[] fields =
                        line.substring("MemAvailable:".length()).trim().split("\\s+");
                try {
                    return OptionalLong.of(Long.parseLong(fields[0]));
                } catch (NumberFormatException e) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }

    private static String procPath(String key) {
        return "/proc/sys/" + key.replace('.', '/');
    }

    private static String join(long[] values) {
        StringBuilder text = new StringBuilder();
        for (long v : values) {
            text.append(text.length() == 0 ? "" : " ").append(v);
        }
        return text.toString();
    }

    private static String plural(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : noun.endsWith("s") ? "es" : "s");
    }
}
