package dev.throng.doctor;

/**
 * Every check the doctor runs, in report order. The label is what the table shows (the sysctl key where there is
 * one); the id is stable for scripts reading {@code --json}. Each is explained in {@code docs/doctor.md}.
 */
public enum CheckId {
    NOFILE_SOFT("nofile-soft", "RLIMIT_NOFILE soft"),
    NOFILE_HARD("nofile-hard", "RLIMIT_NOFILE hard"),
    SYSTEMD_LIMIT_NOFILE("systemd-limit-nofile", "systemd LimitNOFILE"),
    NR_OPEN("nr-open", "fs.nr_open"),
    FILE_MAX("file-max", "fs.file-max"),
    SOMAXCONN("somaxconn", "net.core.somaxconn"),
    SYN_BACKLOG("syn-backlog", "net.ipv4.tcp_max_syn_backlog"),
    PORT_RANGE("port-range", "net.ipv4.ip_local_port_range"),
    CONNTRACK_MAX("conntrack-max", "net.netfilter.nf_conntrack_max"),
    TCP_MEM("tcp-mem", "net.ipv4.tcp_mem"),
    MEMORY("memory", "MemAvailable"),
    EPOLL("epoll", "netty native epoll");

    private final String id;
    private final String label;

    CheckId(String id, String label) {
        this.id = id;
        this.label = label;
    }

    /** Stable, lower-case id, e.g. {@code nofile-hard}. */
    public String id() {
        return id;
    }

    /** What the report's CHECK column shows, e.g. {@code fs.nr_open}. */
    public String label() {
        return label;
    }
}
