// hsload: a WebSocket handshake-rate load generator that costs little CPU per handshake.
//
//   hsload [options] HOST:PORT          (bench/hsload/README.md has the full story)
//
// Each thread owns an epoll set, a slice of the source ports and a fixed table of in-flight slots. Per handshake
// it does: socket, setsockopt(SO_REUSEADDR), bind to an explicit source addr:port, connect, send the upgrade
// request (straight after connect when loopback has already finished the TCP handshake, which is the usual case;
// otherwise on EPOLLOUT), read the response head, verify status 101 and Sec-WebSocket-Accept (RFC 6455 section
// 4.2.2, SHA-1 below), then close, or with --hold keep it open and answer the server's pings with pongs (which
// makes it the load generator for holding a million idle connections on a small box: bench/hold-run.sh). With
// --subscribe it speaks just enough of the Pusher protocol to hold subscribers: one pusher:subscribe per connection
// after the 101, and the server's text frames counted per connection (bench/cluster-run.sh LOADER=hsload); with
// --stats it also times and checks the benchmark events of `throng bench --scenario subscribe` (publish time, sequence
// and step in each event's data) and writes per-step counts and latency histograms to a file once a second, which is
// how the bench's coordinator uses hsload as its subscriber workers (throng-bench's HsloadWorker).
// Nothing is allocated per handshake or per event.
//
// Why explicit source ports: with the kernel picking, connect() searches the ephemeral range for a free 4-tuple
// and gets slow past ~15k connections per source address. Why an abortive close (SO_LINGER {1, 0}) by default:
// the client closes first, so a FIN close leaves each 4-tuple in TIME_WAIT for 60 s and the 20,000 ports x N
// addresses run out in seconds at 30k/s; an RST frees both ends at once. --graceful closes with a FIN instead.
//
// C11 + Linux (epoll, getrandom), libc only; build with bench/hsload/build.sh.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "ws_accept.h"

// ---------------------------------------------------------------- latency histogram

// Log-linear buckets over microseconds: 2^sub sub-buckets per power of two, values below 2^sub exact.
static int log_index(uint64_t us, int sub) {
    if (us < (1u << sub)) return (int)us;
    int msb = 63 - __builtin_clzll(us);
    return (msb - sub + 1) << sub | (int)(us >> (msb - sub) & ((1 << sub) - 1));
}

static uint64_t log_low(int idx, int sub) {  // smallest value that lands in bucket idx
    if (idx < (1 << sub)) return (uint64_t)idx;
    int msb = (idx >> sub) + sub - 1;
    return (1ull << msb) | ((uint64_t)(idx & ((1 << sub) - 1)) << (msb - sub));
}

// Handshakes and pings: 8 sub-buckets per power of two, so a reported percentile is within 12.5 % of the true value.
// 64 * 8 buckets cover any uint64.
#define HIST_SUB 3
#define HIST_BUCKETS (64 << HIST_SUB)

static int hist_index(uint64_t us) { return log_index(us, HIST_SUB); }

static uint64_t hist_upper(int idx) {  // largest value that lands in bucket idx
    return idx < (1 << HIST_SUB) ? (uint64_t)idx : log_low(idx, HIST_SUB) + (1ull << ((idx >> HIST_SUB) - 1)) - 1;
}

static uint64_t hist_percentile(const uint64_t *h, uint64_t total, double p) {
    if (total == 0) return 0;
    uint64_t want = (uint64_t)(p * (double)total + 0.999999), seen = 0;
    if (want == 0) want = 1;
    for (int i = 0; i < HIST_BUCKETS; i++) {
        seen += h[i];
        if (seen >= want) return hist_upper(i);
    }
    return hist_upper(HIST_BUCKETS - 1);
}

// Delivery latencies (--stats) want percentiles within ~1.5 %: 64 sub-buckets per power of two, up to 2^32 us
// (71 minutes; anything above lands in the last bucket): 27 * 64 buckets. A bucket's low bound is what --stats writes.
#define LAT_SUB 6
#define LAT_MAX_US ((1ull << 32) - 1)
#define LAT_BUCKETS ((32 - LAT_SUB + 1) << LAT_SUB)

static int lat_index(uint64_t us) { return log_index(us > LAT_MAX_US ? LAT_MAX_US : us, LAT_SUB); }

// Ping intervals want finer steps than 12.5 % (30.0 s against 30.4 s): linear 10 ms buckets up to 5 minutes,
// the last one holding anything longer.
#define PING_STEP_MS 10
#define PING_BUCKETS (300000 / PING_STEP_MS + 1)

static double ping_percentile_s(const uint64_t *h, uint64_t total, double p) {  // a bucket's upper bound
    if (total == 0) return 0;
    uint64_t want = (uint64_t)(p * (double)total + 0.999999), seen = 0;
    if (want == 0) want = 1;
    int i = 0;
    for (; i < PING_BUCKETS - 1; i++) {
        seen += h[i];
        if (seen >= want) break;
    }
    return (double)(i + 1) * PING_STEP_MS / 1000;
}

// ---------------------------------------------------------------- configuration

enum fail { F_CONNECT, F_RESET, F_EOF, F_STATUS, F_ACCEPT, F_TIMEOUT, F_OTHER, F_COUNT };
static const char *const fail_names[F_COUNT] = {"connect", "reset", "eof", "status", "accept", "timeout", "other"};

static struct {
    struct sockaddr_in server;
    char host_header[300];
    const char *path;
    uint32_t src_lo, src_hi;    // host byte order, inclusive
    unsigned port_lo, port_hi;  // inclusive
    uint64_t total;
    unsigned concurrency, threads;
    double duration_s, timeout_s, hold_for_s;
    double rate;                // -r: handshakes started per second over all threads; 0 = as fast as -c allows
    double client_ping_s;       // --client-ping: while held, each connection pings every S seconds; 0 = never
    uint64_t subscribe;         // --subscribe: channels; each connection subscribes to prefix + (index mod this)
    uint64_t index_base;        // --index-base: this process's first connection index (process k of many: k * n)
    const char *channel_prefix;
    const char *stats_path;     // --stats: where the per-second statistics file goes (written atomically)
    bool hold, graceful, reuse, quiet, stop_with_parent;
} cfg = {
    .path = "/",
    .channel_prefix = "bench-",                  // throng bench's channel names, so either loader fills the same
    .src_lo = 0x7F000001, .src_hi = 0x7F000001,  // 127.0.0.1
    .port_lo = 10000, .port_hi = 29999,          // below the default ephemeral range (32768-60999)
    .total = 10000,
    .concurrency = 128,                          // enough to keep a 2-core box's accept queues busy
    .threads = 1,
    .duration_s = 60,                            // always stops by itself
    .timeout_s = 5,                              // a SYN dropped from a full backlog retries at 1 s, 3 s
};

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

// ---------------------------------------------------------------- per-thread worker

enum state { S_FREE, S_CONNECTING, S_READING };

#define HEAD_MAX 1024  // a 101 head is ~130 bytes; anything over this is not a plain upgrade answer

struct slot {  // one in-flight handshake; 1,080 bytes, allocated once per thread
    int fd;
    int spare;     // --reuse: this slot's disconnected socket, still bound and in the epoll set (EPOLLIN); or -1
    uint16_t len;
    uint8_t state;
    uint64_t t0;
    char accept[ACCEPT_LEN];
    char buf[HEAD_MAX];
};

#define FD_HELD (-2)  // fd_slot[] value: a completed handshake kept open by --hold
#define FD_NONE (-1)

// A held connection's frame state, text count and last event sequence, indexed by fd; 12 bytes. A frame cut across two reads is carried:
// a data frame whose header arrived is counted at once and the rest of its payload skipped (`skip`), without keeping
// it; a header or a control frame (at most 2 + 125 bytes), or a text's first TEXT_PEEK bytes, are kept in the
// worker's part[fd] until the rest arrives, so a ping is still answered with its payload and a text still
// classified. part[] is touched only by connections that ever had a cut frame.
struct conn {
    uint32_t skip;      // payload bytes of the current data frame still to come in later reads
    uint32_t last_seq;  // --stats: the sequence number (s) of the last benchmark event in order on this connection
    uint16_t texts;     // text frames received, saturating
    uint8_t have;       // bytes of a cut frame's start kept in part[fd]
    uint8_t flags;      // C_SUBSCRIBED, C_SUB_FAILED
};
#define C_SUBSCRIBED 1  // a pusher_internal:subscription_succeeded arrived on this connection
#define C_SUB_FAILED 2  // a pusher:error arrived before it (counted once in sub_errors)
#define PART_MAX 208    // the longest cut start to keep: a text's header and TEXT_PEEK - 1 bytes (<= 10 + 191)
#define TEXT_PEEK 192   // a text's first bytes, enough to see its Pusher event and a benchmark event's t, s and k:
                        // {"event":"bench","channel":"<prefix><i>","data":"{\"t\":<16 digits>,\"s\":…,\"k\":…, is
                        // ~110 bytes with the default prefix; a text cut before them is kept (<= 10 + 191 bytes)

// --stats: the benchmark events of one publish step (the data's k), as throng-bench's subscribers count them.
#define STEP_MAX 64
struct step_stats {
    uint64_t recv;                 // events of this step received
    uint64_t ooo;                  // of those, with a sequence not above the last on their connection (s <= last)
    uint64_t gaps;                 // sequence numbers skipped before events of this step (s > last + 1: s - last - 1)
    uint64_t hist[LAT_BUCKETS];    // publish -> receive latency, us (CLOCK_REALTIME now - t)
};

struct worker {
    pthread_t tid;
    unsigned id;
    uint64_t quota;               // handshakes this thread attempts
    uint64_t attempted;
    unsigned conc;                // its share of -c
    unsigned port_lo, port_hi;    // its slice of the source ports
    uint64_t tuple;               // next (addr, port) pair, walked address-first
    uint64_t rng;
    int ep;
    struct slot *slots;
    unsigned *free_stack, free_n;
    int32_t *fd_slot;             // fd -> slot index, FD_HELD or FD_NONE
    int fd_cap;
    // results; ok and failed are read by the reporting thread while running
    _Atomic uint64_t ok, failed, inflight, held;
    uint64_t fails[F_COUNT], statuses[600], skipped, sent_on_connect, reused, held_dropped, unfinished;
    uint64_t hist[HIST_BUCKETS];
    // --hold: the server's pings, answered with pongs; last_ping[fd] is the ms since start (+1) of the last one
    uint32_t *last_ping;
    uint64_t pings, pongs, pong_failed, partial, unparsed, server_closes, held_reset;
    struct conn *conns;                // [fd]
    uint8_t (*part)[PART_MAX];         // [fd], see struct conn
    uint64_t texts, pusher_errors, subscribes, subscribe_failed;
    uint64_t ping_hist[PING_BUCKETS];  // time between consecutive pings on one connection, 10 ms steps
    // --client-ping: cping_sent[fd] is when this side's outstanding ping went out (ns, 0: none), cping_due[fd] when
    // the next one is due (ns, 0: not scheduled yet)
    uint64_t *cping_sent, *cping_due;
    uint64_t cpings, cpongs, cping_failed, rtt_hist[HIST_BUCKETS];
    // --stats (with --subscribe and -t 1): benchmark events per step, subscriptions per channel; allocated at start,
    // ~0.9 MB for the steps plus 4 bytes per channel, nothing per connection or event
    struct step_stats *steps;          // [STEP_MAX]
    uint32_t *chan_acks;               // [cfg.subscribe]: subscription_succeeded per channel index
    uint64_t subscribed, acks, sub_errors, sub_lost, unknown_channel, unreadable, last_ack_ns, next_stats_ns;
    uint64_t wall_us;                  // CLOCK_REALTIME of the read being parsed, us
    uint64_t end_ns;
    _Atomic bool done;
};

static atomic_bool stop_flag;
static volatile sig_atomic_t end_hold;    // SIGUSR1: end the hold now (the caller has what it waited for)
static _Atomic uint64_t next_index;       // connections verified so far: the next one's index above --index-base
static atomic_bool error_shown;
static uint64_t start_ns;
static int nofile;

static uint64_t xorshift(uint64_t *s) {
    uint64_t x = *s;
    x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1Dull;
}

static void close_fd(int fd, bool abortive) {
    if (abortive) {
        struct linger l = {.l_onoff = 1, .l_linger = 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
    close(fd);
}

static void slot_release(struct worker *w, unsigned idx) {
    struct slot *s = &w->slots[idx];
    w->fd_slot[s->fd] = FD_NONE;
    s->state = S_FREE;
    s->fd = -1;
    w->free_stack[w->free_n++] = idx;
    atomic_fetch_sub_explicit(&w->inflight, 1, memory_order_relaxed);
}

static void fail(struct worker *w, unsigned idx, enum fail why) {
    struct slot *s = &w->slots[idx];
    w->fails[why]++;
    close_fd(s->fd, true);  // a failed socket must not sit in TIME_WAIT either
    slot_release(w, idx);
    atomic_fetch_add_explicit(&w->failed, 1, memory_order_relaxed);
}

// --subscribe: the connection's one masked text frame (RFC 6455 section 5.3), sent as soon as the 101 is verified.
// The server sends pusher:connection_established first, but a Pusher server reads a subscribe as soon as the
// connection is open (pusher-js waits for the socket id only because private channels need it for their auth).
static void send_subscribe(struct worker *w, int fd) {
    uint64_t index = cfg.index_base + atomic_fetch_add_explicit(&next_index, 1, memory_order_relaxed);
    char text[300];
    int len = snprintf(text, sizeof text, "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"%s%" PRIu64 "\"}}",
                       cfg.channel_prefix, index % cfg.subscribe);
    uint8_t frame[4 + 4 + sizeof text];
    size_t hl = 2;
    frame[0] = 0x81;  // FIN, text
    if (len < 126) {
        frame[1] = (uint8_t)(0x80 | len);
    } else {
        frame[1] = 0x80 | 126;
        frame[2] = (uint8_t)(len >> 8);
        frame[3] = (uint8_t)len;
        hl = 4;
    }
    uint32_t mask = (uint32_t)xorshift(&w->rng);
    memcpy(frame + hl, &mask, 4);
    for (int i = 0; i < len; i++) frame[hl + 4 + (size_t)i] = (uint8_t)text[i] ^ frame[hl + (size_t)(i & 3)];
    size_t total = hl + 4 + (size_t)len;
    if (write(fd, frame, total) == (ssize_t)total) w->subscribes++;
    else w->subscribe_failed++;  // a fresh socket's send buffer is empty: not expected
}

static void succeed(struct worker *w, unsigned idx, uint64_t now) {
    struct slot *s = &w->slots[idx];
    uint64_t us = (now - s->t0) / 1000;
    w->hist[hist_index(us)]++;
    int fd = s->fd;
    if (cfg.hold) {
        slot_release(w, idx);
        w->fd_slot[fd] = FD_HELD;  // stays in the epoll set: pings are answered, a server-side close is noticed
        w->last_ping[fd] = 0;
        w->cping_sent[fd] = w->cping_due[fd] = 0;
        w->conns[fd] = (struct conn){0};
        atomic_fetch_add_explicit(&w->held, 1, memory_order_relaxed);
        if (cfg.subscribe) send_subscribe(w, fd);
    } else if (cfg.reuse && w->attempted < w->quota) {
        // connect(AF_UNSPEC) is tcp_disconnect(): an RST like the abortive close, but the socket stays bound to
        // its source port and in the epoll set, ready to connect again (saves socket, 2 x setsockopt, bind,
        // epoll_ctl and the teardown). The peer's socket is gone once the RST is processed, so the same 4-tuple
        // can connect at once. Not when no handshake follows: a disconnected socket polls as EPOLLHUP forever.
        slot_release(w, idx);
        struct sockaddr unspec = {.sa_family = AF_UNSPEC};
        if (connect(fd, &unspec, sizeof unspec) == 0) {
            s->spare = fd;
            w->fd_slot[fd] = (int32_t)idx;
        } else {
            close_fd(fd, true);
        }
    } else {
        close_fd(fd, !cfg.graceful);
        slot_release(w, idx);
    }
    atomic_fetch_add_explicit(&w->ok, 1, memory_order_relaxed);
}

static const char *request_fmt =
    "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: %.*s\r\nSec-WebSocket-Version: 13\r\n\r\n";
static char request[2048];
static size_t request_len, key_offset;

static void build_request_template(void) {
    char marker[KEY_LEN];
    memset(marker, '#', KEY_LEN);
    int n = snprintf(request, sizeof request, request_fmt, cfg.path, cfg.host_header, KEY_LEN, marker);
    if (n <= 0 || (size_t)n >= sizeof request) { fprintf(stderr, "hsload: request too long\n"); exit(2); }
    request_len = (size_t)n;
    key_offset = (size_t)(strstr(request, "Sec-WebSocket-Key: ") - request) + strlen("Sec-WebSocket-Key: ");
}

// Sends the request; returns 1 sent, 0 not connected yet, -1 error (errno set).
static int send_request(struct worker *w, struct slot *s) {
    char req[sizeof request];
    memcpy(req, request, request_len);
    uint8_t nonce[16];
    uint64_t r1 = xorshift(&w->rng), r2 = xorshift(&w->rng);
    memcpy(nonce, &r1, 8);
    memcpy(nonce + 8, &r2, 8);
    base64(nonce, 16, req + key_offset);
    accept_for(req + key_offset, s->accept);
    ssize_t n = send(s->fd, req, request_len, MSG_NOSIGNAL);
    if (n == (ssize_t)request_len) return 1;
    if (n < 0 && (errno == EAGAIN || errno == ENOTCONN)) return 0;
    if (n >= 0) errno = EMSGSIZE;  // a partial send of ~200 bytes on a fresh socket does not happen; say so if it does
    return -1;
}

static enum fail errno_reason(int e) {
    return e == ECONNRESET || e == EPIPE ? F_RESET : e == ETIMEDOUT ? F_TIMEOUT : F_OTHER;
}

// Starts one handshake; returns false when the source tuples are exhausted (a fatal configuration problem).
static bool start_one(struct worker *w) {
    uint32_t naddr = cfg.src_hi - cfg.src_lo + 1, nport = w->port_hi - w->port_lo + 1;
    uint64_t tuples = (uint64_t)naddr * nport, t0 = now_ns();
    unsigned idx = w->free_stack[w->free_n - 1];  // taken for good only once a socket is bound
    struct slot *s = &w->slots[idx];
    if (s->spare >= 0) {  // --reuse
        w->free_n--;
        s->t0 = t0;
        atomic_fetch_add_explicit(&w->inflight, 1, memory_order_relaxed);
        s->fd = s->spare;
        s->spare = -1;
        s->len = 0;
        if (connect(s->fd, (struct sockaddr *)&cfg.server, sizeof cfg.server) < 0 && errno != EINPROGRESS) {
            fail(w, idx, F_CONNECT);
            return true;
        }
        w->reused++;
        int r = send_request(w, s);
        if (r == 1) {
            w->sent_on_connect++;
            s->state = S_READING;  // already registered for EPOLLIN
        } else if (r == 0) {
            s->state = S_CONNECTING;
            struct epoll_event ev = {.events = EPOLLOUT, .data.fd = s->fd};
            if (epoll_ctl(w->ep, EPOLL_CTL_MOD, s->fd, &ev) < 0) fail(w, idx, F_OTHER);
        } else {
            fail(w, idx, errno == ECONNREFUSED ? F_CONNECT : errno_reason(errno));
        }
        return true;
    }
    for (uint64_t tries = 0;; tries++) {
        if (tries >= tuples) {
            fprintf(stderr, "hsload: thread %u: every source addr:port is busy (%" PRIu64 " tuples)\n", w->id, tuples);
            return false;
        }
        uint64_t t = w->tuple++ % tuples;
        struct sockaddr_in src = {.sin_family = AF_INET,
                                  .sin_addr.s_addr = htonl(cfg.src_lo + (uint32_t)(t % naddr)),
                                  .sin_port = htons((uint16_t)(w->port_lo + t / naddr))};
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            fprintf(stderr, "hsload: socket: %s\n", strerror(errno));
            return false;
        }
        if (fd >= w->fd_cap) { fprintf(stderr, "hsload: fd %d over the table\n", fd); close(fd); return false; }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, (struct sockaddr *)&src, sizeof src) < 0) {
            int e = errno;
            close(fd);
            if (e == EADDRINUSE) { w->skipped++; continue; }
            fprintf(stderr, "hsload: bind %s:%u: %s\n", inet_ntoa(src.sin_addr), ntohs(src.sin_port), strerror(e));
            return false;
        }
        if (s->fd == -1) {  // first bound socket for this handshake: the slot is now in use
            w->free_n--;
            s->t0 = t0;
            atomic_fetch_add_explicit(&w->inflight, 1, memory_order_relaxed);
        }
        s->fd = fd;
        s->len = 0;
        w->fd_slot[fd] = (int32_t)idx;
        if (connect(fd, (struct sockaddr *)&cfg.server, sizeof cfg.server) < 0 && errno != EINPROGRESS) {
            int e = errno;
            if (e == EADDRNOTAVAIL || e == EADDRINUSE) {  // 4-tuple still in use (TIME_WAIT or held)
                w->fd_slot[fd] = FD_NONE;
                close(fd);
                w->skipped++;
                continue;
            }
            fail(w, idx, F_CONNECT);
            return true;
        }
        break;
    }
    // On loopback connect() has usually completed the TCP handshake before returning EINPROGRESS, so try the
    // request at once and save an EPOLLOUT round.
    int r = send_request(w, s);
    struct epoll_event ev = {.data.fd = s->fd};
    if (r == 1) {
        w->sent_on_connect++;
        s->state = S_READING;
        ev.events = EPOLLIN;
    } else if (r == 0) {
        s->state = S_CONNECTING;
        ev.events = EPOLLOUT;
    } else {
        fail(w, idx, errno == ECONNREFUSED ? F_CONNECT : errno_reason(errno));
        return true;
    }
    if (epoll_ctl(w->ep, EPOLL_CTL_ADD, s->fd, &ev) < 0) {
        fprintf(stderr, "hsload: epoll_ctl: %s\n", strerror(errno));
        fail(w, idx, F_OTHER);
    }
    return true;
}

static bool header_is(const char *line, const char *end, const char *name, const char **value) {
    size_t n = strlen(name);
    if ((size_t)(end - line) < n || strncasecmp(line, name, n) != 0) return false;
    const char *v = line + n;
    while (v < end && (*v == ' ' || *v == '\t')) v++;
    *value = v;
    return true;
}

static void on_held_frames(struct worker *w, int fd, const uint8_t *p, size_t n, uint64_t now);

static void check_head(struct worker *w, unsigned idx, const char *head_end, uint64_t now) {
    struct slot *s = &w->slots[idx];
    const char *p = s->buf, *eol = memchr(p, '\r', (size_t)(head_end - p));
    // Status line: "HTTP/1.1 101 Switching Protocols" (RFC 6455 section 4.2.2, item 5)
    if (eol - p < 12 || memcmp(p, "HTTP/1.1 ", 9) != 0 || p[9] < '1' || p[9] > '5' ||
        p[10] < '0' || p[10] > '9' || p[11] < '0' || p[11] > '9') {
        fail(w, idx, F_OTHER);
        return;
    }
    int code = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
    if (code != 101) {
        w->statuses[code]++;
        fail(w, idx, F_STATUS);
        return;
    }
    for (const char *line = eol + 2; line < head_end; line = eol + 2) {
        eol = memchr(line, '\r', (size_t)(head_end + 2 - line));
        const char *v;
        if (header_is(line, eol, "Sec-WebSocket-Accept:", &v)) {
            const char *ve = eol;
            while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t')) ve--;
            if (ve - v == ACCEPT_LEN && memcmp(v, s->accept, ACCEPT_LEN) == 0) {
                // Bytes after the head are the server's first frames (a ping due at once can share the read).
                uint8_t after[HEAD_MAX];
                size_t n = (size_t)(s->buf + s->len - (head_end + 2));
                memcpy(after, head_end + 2, n);
                int fd = s->fd;
                succeed(w, idx, now);
                if (cfg.hold && n) on_held_frames(w, fd, after, n, now);
            } else {
                fail(w, idx, F_ACCEPT);
            }
            return;
        }
    }
    fail(w, idx, F_ACCEPT);  // no accept header at all
}

static void on_readable(struct worker *w, unsigned idx, uint64_t now) {
    struct slot *s = &w->slots[idx];
    ssize_t n = read(s->fd, s->buf + s->len, HEAD_MAX - s->len);
    if (n > 0) {
        size_t from = s->len >= 3 ? s->len - 3u : 0;
        s->len += (uint16_t)n;
        char *end = memmem(s->buf + from, s->len - from, "\r\n\r\n", 4);
        if (end) check_head(w, idx, end + 2, now);  // head_end points at the final "\r\n"
        else if (s->len == HEAD_MAX) fail(w, idx, F_OTHER);
    } else if (n == 0) {
        fail(w, idx, F_EOF);
    } else if (errno != EAGAIN && errno != EINTR) {
        fail(w, idx, errno_reason(errno));
    }
}

static void on_writable(struct worker *w, unsigned idx) {
    struct slot *s = &w->slots[idx];
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err) { fail(w, idx, F_CONNECT); return; }
    int r = send_request(w, s);
    if (r == 0) return;
    if (r < 0) { fail(w, idx, errno_reason(errno)); return; }
    s->state = S_READING;
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = s->fd};
    if (epoll_ctl(w->ep, EPOLL_CTL_MOD, s->fd, &ev) < 0) fail(w, idx, F_OTHER);
}

static uint64_t wall_us(void) {  // the publisher stamps t from the same machine's wall clock (EpochClock)
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

// Where the value of the member KEY ("\"data\":") starts in p[0, n), spaces skipped; NULL: absent.
static const uint8_t *value_of(const uint8_t *p, size_t n, const char *key, size_t key_len) {
    const uint8_t *at = memmem(p, n, key, key_len), *end = p + n;
    if (!at) return NULL;
    for (at += key_len; at < end && *at == ' '; at++) {}
    return at < end ? at : NULL;
}

// The index i of a "channel":"<prefix><i>" member, or -1 (absent, another name, or i >= --subscribe).
static int64_t channel_index(const uint8_t *p, size_t n) {
    static const char key[] = "\"channel\":";
    const uint8_t *at = value_of(p, n, key, sizeof key - 1), *end = p + n;
    size_t pl = strlen(cfg.channel_prefix);
    if (!at || (size_t)(end - at) < 1 + pl || *at != '"' || memcmp(at + 1, cfg.channel_prefix, pl) != 0) return -1;
    uint64_t i = 0;
    const uint8_t *digits = at += 1 + pl;
    for (; at < end && *at >= '0' && *at <= '9' && at - digits < 18; at++) i = i * 10 + (uint64_t)(*at - '0');
    return at == digits || at >= end || *at != '"' || i >= cfg.subscribe ? -1 : (int64_t)i;
}

// Reads t, s and k of a benchmark event's data, {"t":<us>,"s":<seq>,"k":<step>,"p":"…"} (throng-bench's EventData),
// whether the server sent it as a JSON string (as Pusher does: its quotes escaped, \"t\") or as an object; as
// throng-bench's MessageScanner.readData does. False unless all three come first, in that order, within p[0, n).
static bool read_event_data(const uint8_t *p, size_t n, uint64_t v[3]) {
    static const char key[] = "\"data\":", fields[3] = {'t', 's', 'k'};
    const uint8_t *at = value_of(p, n, key, sizeof key - 1), *end = p + n;
    if (!at) return false;
    bool escaped = *at == '"';
    if (escaped) at++;
    if (at >= end || *at++ != '{') return false;
    for (int f = 0; f < 3; f++) {
        if (escaped && (at >= end || *at++ != '\\')) return false;
        if (end - at < 2 || *at++ != '"' || *at++ != fields[f]) return false;
        if (escaped && (at >= end || *at++ != '\\')) return false;
        if (end - at < 2 || *at++ != '"' || *at++ != ':') return false;
        const uint8_t *digits = at;
        uint64_t x = 0;
        for (; at < end && *at >= '0' && *at <= '9'; at++) x = x * 10 + (uint64_t)(*at - '0');
        if (at == digits || at - digits > 18 || at >= end || *at++ != ',') return false;  // each ends with a comma
        v[f] = x;
    }
    return true;
}

// --stats: a benchmark event (any event not named pusher*): its latency and sequence, counted under its step.
static void on_bench_event(struct worker *w, struct conn *c, const uint8_t *p, size_t n) {
    uint64_t v[3];
    if (!read_event_data(p, n, v) || v[2] >= STEP_MAX || v[1] > UINT32_MAX) { w->unreadable++; return; }
    struct step_stats *st = &w->steps[v[2]];
    st->recv++;
    st->hist[lat_index(w->wall_us > v[0] ? w->wall_us - v[0] : 0)]++;  // a clock step backwards reads as 0
    uint32_t seq = (uint32_t)v[1];
    if (seq <= c->last_seq) { st->ooo++; return; }  // a duplicate, or overtaken by a later one
    st->gaps += seq - c->last_seq - 1;
    c->last_seq = seq;
}

// A text frame from the server: counted, and its bytes in this read (the whole frame, or at least its first
// TEXT_PEEK bytes when it was cut: a Pusher message names its event first) checked for the messages that matter.
static void on_text(struct worker *w, struct conn *c, const uint8_t *p, size_t n) {
    static const char error[] = "\"pusher:error\"", succeeded[] = "\"pusher_internal:subscription_succeeded\"",
                      event[] = "\"event\":";
    w->texts++;
    if (c->texts < UINT16_MAX) c->texts++;
    if (!cfg.subscribe) return;
    if (w->steps) {  // --stats: an event not named pusher* is a benchmark event
        const uint8_t *name = value_of(p, n, event, sizeof event - 1);
        if (name && (size_t)(p + n - name) > 7 && memcmp(name, "\"pusher", 7) != 0) {
            on_bench_event(w, c, p, n);
            return;
        }
    }
    if (memmem(p, n, error, sizeof error - 1)) {
        w->pusher_errors++;
        if (!(c->flags & (C_SUBSCRIBED | C_SUB_FAILED))) { c->flags |= C_SUB_FAILED; w->sub_errors++; }
        if (!atomic_exchange(&error_shown, true))  // the first one says why, once per process
            fprintf(stderr, "hsload: pusher:error: %.*s\n", (int)(n < 300 ? n : 300), (const char *)p);
    } else if (!(c->flags & C_SUBSCRIBED) && memmem(p, n, succeeded, sizeof succeeded - 1)) {
        c->flags |= C_SUBSCRIBED;
        w->subscribed++;
        w->acks++;
        if (w->chan_acks) {
            int64_t ch = channel_index(p, n);
            if (ch >= 0) w->chan_acks[ch]++;
            else w->unknown_channel++;
            w->last_ack_ns = now_ns();
        }
    }
}

// A held connection's input: the server's frames, unmasked (RFC 6455 section 5.1). Pings get a masked pong with
// the same payload (section 5.5.3), as any client would send; a close frame is counted and the TCP close that
// follows ends the connection; text frames are counted (on_text). A frame cut across reads is carried to the next
// read (struct conn) and counted in `partial`; a frame hsload cannot read (masked, a control frame over 125 bytes,
// a payload over 4 GiB) is counted in `unparsed` and the rest of that read dropped.
static void on_held_frames(struct worker *w, int fd, const uint8_t *p, size_t n, uint64_t now) {
    struct conn *c = &w->conns[fd];
    if (w->steps) w->wall_us = wall_us();  // one reading per read: the events in it arrived together
    if (c->skip) {  // the rest of a data frame counted in an earlier read
        size_t k = n < c->skip ? n : c->skip;
        c->skip -= (uint32_t)k;
        p += k;
        n -= k;
    }
    while (n >= 2) {
        unsigned opcode = p[0] & 0x0F, len7 = p[1] & 0x7F;
        size_t hl = len7 == 126 ? 4 : len7 == 127 ? 10 : 2;
        if (p[1] & 0x80) { w->unparsed++; c->have = 0; return; }  // a server must not mask (section 5.1)
        if (n < hl) break;
        uint64_t len = len7;
        if (len7 == 126) len = (uint64_t)p[2] << 8 | p[3];
        if (len7 == 127) { len = 0; for (int i = 2; i < 10; i++) len = len << 8 | p[i]; }
        if (opcode & 0x8) {  // control frames (section 5.5): whole, or kept until they are
            if (len > 125) { w->unparsed++; c->have = 0; return; }
            if (n < 2 + len) break;
            const uint8_t *payload = p + 2;
            if (opcode == 0x9) {
                w->pings++;
                uint32_t ms = (uint32_t)((now - start_ns) / 1000000u) + 1;
                if (w->last_ping[fd]) {
                    uint32_t b = (ms - w->last_ping[fd]) / PING_STEP_MS;
                    w->ping_hist[b < PING_BUCKETS ? b : PING_BUCKETS - 1]++;
                }
                w->last_ping[fd] = ms;
                uint8_t pong[2 + 4 + 125];
                uint32_t mask = (uint32_t)xorshift(&w->rng);
                pong[0] = 0x8A;
                pong[1] = (uint8_t)(0x80 | len);
                memcpy(pong + 2, &mask, 4);
                for (unsigned i = 0; i < len; i++) pong[6 + i] = payload[i] ^ pong[2 + (i & 3)];
                if (write(fd, pong, 6 + len) == (ssize_t)(6 + len)) w->pongs++;
                else w->pong_failed++;
            } else if (opcode == 0xA && w->cping_sent[fd]) {  // the pong to this side's ping: a round trip
                w->rtt_hist[hist_index((now - w->cping_sent[fd]) / 1000)]++;
                w->cpongs++;
                w->cping_sent[fd] = 0;
            } else if (opcode == 0x8) {
                w->server_closes++;
            }
            p += 2 + len;
            n -= 2 + len;
            continue;
        }
        size_t here = n - hl < len ? n - hl : (size_t)len;  // data frames: counted at their header
        if (opcode == 0x1 && here < len && here < TEXT_PEEK) break;  // too little to see its event: kept
        if (opcode == 0x1) on_text(w, c, p + hl, here);
        if (here < len) {
            if (len - here > UINT32_MAX) { w->unparsed++; c->have = 0; return; }
            c->skip = (uint32_t)(len - here);
            c->have = 0;
            w->partial++;
            return;
        }
        p += hl + len;
        n -= hl + len;
    }
    if (n) {  // a header, a control frame or a text's start, cut: at most 2 + 125 bytes (checked above)
        memcpy(w->part[fd], p, n);
        w->partial++;
    }
    c->have = (uint8_t)n;
}

static void on_held_event(struct worker *w, int fd, uint64_t now) {
    uint8_t buf[PART_MAX + 4096];
    size_t have = w->conns[fd].have;
    memcpy(buf, w->part[fd], have);  // a cut frame's start, kept from the last read
    ssize_t n = read(fd, buf + have, sizeof buf - have);
    if (n > 0) {
        on_held_frames(w, fd, buf, have + (size_t)n, now);
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        if (n < 0) w->held_reset++;  // else a FIN: an orderly close by the server
        if (cfg.subscribe && !(w->conns[fd].flags & (C_SUBSCRIBED | C_SUB_FAILED))) w->sub_lost++;
        w->fd_slot[fd] = FD_NONE;
        close_fd(fd, true);
        w->held_dropped++;
        atomic_fetch_sub_explicit(&w->held, 1, memory_order_relaxed);
    }
}

// --client-ping: sends each held connection's ping when it is due (first ones spread over one interval), an empty
// masked ping frame (RFC 6455 section 5.5.2); the pong's arrival closes the round trip in on_held_frames.
static void send_client_pings(struct worker *w, uint64_t now) {
    uint64_t interval = (uint64_t)(cfg.client_ping_s * 1e9);
    for (int fd = 0; fd < w->fd_cap; fd++) {
        if (w->fd_slot[fd] != FD_HELD) continue;
        if (!w->cping_due[fd]) { w->cping_due[fd] = now + xorshift(&w->rng) % interval; continue; }
        if (now < w->cping_due[fd]) continue;
        w->cping_due[fd] = now + interval;
        if (w->cping_sent[fd]) continue;  // the last one is still unanswered: counted as such at the end
        uint8_t frame[6] = {0x89, 0x80};
        uint32_t mask = (uint32_t)xorshift(&w->rng);
        memcpy(frame + 2, &mask, 4);
        if (write(fd, frame, sizeof frame) == (ssize_t)sizeof frame) { w->cping_sent[fd] = now; w->cpings++; }
        else w->cping_failed++;
    }
}

static void poll_once(struct worker *w, int timeout_ms) {
    struct epoll_event evs[256];
    int n = epoll_wait(w->ep, evs, 256, timeout_ms);
    if (n <= 0) return;
    uint64_t now = now_ns();
    for (int i = 0; i < n; i++) {
        int fd = evs[i].data.fd;
        int32_t idx = w->fd_slot[fd];
        if (idx == FD_HELD) { on_held_event(w, fd, now); continue; }
        if (idx < 0) continue;  // closed earlier in this batch
        if (w->slots[idx].state == S_CONNECTING) {
            on_writable(w, (unsigned)idx);
        } else if (w->slots[idx].state == S_READING) {
            on_readable(w, (unsigned)idx, now);
        }
    }
}

static void sweep_timeouts(struct worker *w, uint64_t now) {
    uint64_t limit = (uint64_t)(cfg.timeout_s * 1e9);
    for (unsigned i = 0; i < w->conc; i++)
        if (w->slots[i].state != S_FREE && now - w->slots[i].t0 > limit) fail(w, i, F_TIMEOUT);
}

// --stats: writes everything a caller needs to follow the run to cfg.stats_path, through a temporary file renamed over
// it, so a reader never sees half a file. Only the thread that owns w calls it (hence -t 1): the worker thread while
// connecting, the main thread while holding and at the end. The format is bench/hsload/README.md's "Statistics file".
static void stats_write(const struct worker *w, const char *phase) {
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s.tmp", cfg.stats_path);
    FILE *f = fopen(tmp, "w");
    if (!f) { fprintf(stderr, "hsload: --stats %s: %s\n", tmp, strerror(errno)); return; }
    uint64_t now = now_ns(), end = w->end_ns ? w->end_ns : now;
    fprintf(f, "hsload-stats 1 lat_sub_bits %d handshake_sub_bits %d\n", LAT_SUB, HIST_SUB);
    fprintf(f, "time time_us %" PRIu64 " elapsed_us %" PRIu64 " phase %s\n", wall_us(), (now - start_ns) / 1000,
            phase);
    fprintf(f, "handshakes total %" PRIu64 " attempted %" PRIu64 " ok %" PRIu64 " failed %" PRIu64 " unfinished %"
            PRIu64 " inflight %" PRIu64 " held %" PRIu64 " dropped %" PRIu64 " resets %" PRIu64 " close_frames %"
            PRIu64 " skipped %" PRIu64 " connect_us %" PRIu64 "\n", cfg.total, w->attempted, (uint64_t)w->ok,
            (uint64_t)w->failed, w->unfinished, (uint64_t)w->inflight, (uint64_t)w->held, w->held_dropped,
            w->held_reset, w->server_closes, w->skipped, (end - start_ns) / 1000);
    fprintf(f, "fails");
    for (int k = 0; k < F_COUNT; k++) fprintf(f, " %s %" PRIu64, fail_names[k], w->fails[k]);
    fprintf(f, "\nstatus");
    for (int k = 0; k < 600; k++)
        if (w->statuses[k]) fprintf(f, " %d %" PRIu64, k, w->statuses[k]);
    fprintf(f, "\npusher subscribes %" PRIu64 " subscribe_failed %" PRIu64 " subscribed %" PRIu64 " acks %" PRIu64
            " errors %" PRIu64 " sub_errors %" PRIu64 " sub_lost %" PRIu64 " ramp_us %" PRIu64 " unknown_channel %"
            PRIu64 " unreadable %" PRIu64 "\n", w->subscribes, w->subscribe_failed, w->subscribed, w->acks,
            w->pusher_errors, w->sub_errors, w->sub_lost, w->last_ack_ns ? (w->last_ack_ns - start_ns) / 1000 : 0,
            w->unknown_channel, w->unreadable);
    fprintf(f, "frames texts %" PRIu64 " pings %" PRIu64 " pongs %" PRIu64 " pong_failed %" PRIu64 " partial %"
            PRIu64 " unparsed %" PRIu64 "\n", w->texts, w->pings, w->pongs, w->pong_failed, w->partial, w->unparsed);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    fprintf(f, "cpu user_us %" PRIu64 " sys_us %" PRIu64 " maxrss_kb %ld\n",
            (uint64_t)ru.ru_utime.tv_sec * 1000000u + (uint64_t)ru.ru_utime.tv_usec,
            (uint64_t)ru.ru_stime.tv_sec * 1000000u + (uint64_t)ru.ru_stime.tv_usec, ru.ru_maxrss);
    fprintf(f, "handshake hist ");
    const char *sep = "";
    for (int i = 0; i < HIST_BUCKETS; i++)
        if (w->hist[i]) { fprintf(f, "%s%" PRIu64 ":%" PRIu64, sep, log_low(i, HIST_SUB), w->hist[i]); sep = ","; }
    fprintf(f, "\nchannels %" PRIu64 " acks ", cfg.subscribe);
    sep = "";
    for (uint64_t c = 0; c < cfg.subscribe; c++)
        if (w->chan_acks[c]) { fprintf(f, "%s%" PRIu64 ":%" PRIu32, sep, c, w->chan_acks[c]); sep = ","; }
    fprintf(f, "\n");
    for (int k = 0; k < STEP_MAX; k++) {
        const struct step_stats *st = &w->steps[k];
        if (!st->recv) continue;
        fprintf(f, "step %d recv %" PRIu64 " ooo %" PRIu64 " gaps %" PRIu64 " hist ", k, st->recv, st->ooo, st->gaps);
        sep = "";
        for (int i = 0; i < LAT_BUCKETS; i++)
            if (st->hist[i]) { fprintf(f, "%s%" PRIu64 ":%" PRIu64, sep, log_low(i, LAT_SUB), st->hist[i]); sep = ","; }
        fprintf(f, "\n");
    }
    fprintf(f, "end\n");
    if (fclose(f) != 0 || rename(tmp, cfg.stats_path) != 0)
        fprintf(stderr, "hsload: --stats %s: %s\n", cfg.stats_path, strerror(errno));
}

static void stats_tick(struct worker *w, uint64_t now, const char *phase) {  // once a second
    if (!cfg.stats_path || now < w->next_stats_ns) return;
    w->next_stats_ns = now + 1000000000u;
    stats_write(w, phase);
}

static pid_t parent;  // --stop-with-parent: the parent at start; getppid() changes when it exits

static bool parent_gone(void) { return cfg.stop_with_parent && getppid() != parent; }

static void *worker_main(void *arg) {
    struct worker *w = arg;
    uint64_t last_sweep = now_ns();
    bool exhausted = false;
    double per_s = cfg.rate / cfg.threads;  // this thread's share of -r
    while (!atomic_load_explicit(&stop_flag, memory_order_relaxed)) {
        // -r: by now this thread may have started elapsed * per_s handshakes (and always its first)
        uint64_t allowed = per_s > 0 ? (uint64_t)((double)(now_ns() - start_ns) / 1e9 * per_s) + 1 : UINT64_MAX;
        while (!exhausted && w->free_n > 0 && w->attempted < w->quota && w->attempted < allowed) {
            if (!start_one(w)) { exhausted = true; atomic_store(&stop_flag, true); break; }
            w->attempted++;
        }
        if (w->free_n == w->conc && (w->attempted == w->quota || exhausted)) break;
        int wait_ms = 50;
        if (per_s > 0 && w->attempted < w->quota && w->free_n > 0) {  // wake for the next start -r allows
            double next_s = (double)w->attempted / per_s - (double)(now_ns() - start_ns) / 1e9;
            wait_ms = next_s <= 0 ? 0 : next_s >= 0.05 ? 50 : (int)(next_s * 1000) + 1;
        }
        poll_once(w, wait_ms);
        uint64_t now = now_ns();
        if (now - last_sweep > 50000000u) { sweep_timeouts(w, now); last_sweep = now; }
        stats_tick(w, now, "connecting");
    }
    w->end_ns = now_ns();
    for (unsigned i = 0; i < w->conc; i++)  // stopped by -d: what is still in flight did not finish
        if (w->slots[i].state != S_FREE) {
            close_fd(w->slots[i].fd, true);
            slot_release(w, i);
            w->unfinished++;
        }
    for (unsigned i = 0; i < w->conc; i++)
        if (w->slots[i].spare >= 0) {
            w->fd_slot[w->slots[i].spare] = FD_NONE;
            close(w->slots[i].spare);
            w->slots[i].spare = -1;
        }
    atomic_store(&w->done, true);
    return NULL;
}

// ---------------------------------------------------------------- main

static void usage(FILE *f) {
    fprintf(f,
        "usage: hsload [options] HOST:PORT\n"
        "Opens WebSocket handshakes (RFC 6455 upgrade, Sec-WebSocket-Accept verified) as fast as it can.\n"
        "  -n N            handshakes in total (default 10000)\n"
        "  -c N            handshakes in flight at once, over all threads (default 128)\n"
        "  -t N            threads, each with its own epoll set and source-port slice (default 1)\n"
        "  -s A[-B]        source IPv4 addresses, a range in the last octets (default 127.0.0.1)\n"
        "  -p LO-HI        source ports, bound explicitly (default 10000-29999)\n"
        "  -d SECONDS      stop starting handshakes after this long; in-flight ones count as unfinished (default 60)\n"
        "  -T SECONDS      one handshake's time limit, connect to verified head (default 5)\n"
        "  -r RATE         start at most RATE handshakes a second, over all threads (default 0: as fast as -c allows)\n"
        "  -P, --path PATH the upgrade's request target (default /), e.g.\n"
        "                  /app/app-key?protocol=7&client=hsload&version=1 for a Pusher gateway\n"
        "  --close         close each connection after its 101 (default)\n"
        "  --hold          keep every connection open until all are done, then close them (N must fit the\n"
        "                  open-files limit); server pings are answered with pongs and their intervals reported\n"
        "  --hold-for S    with --hold, keep them S seconds longer (default 0)\n"
        "  --client-ping S with --hold, each held connection also pings every S seconds (first ones spread over\n"
        "                  one interval) and the round trips to the server's pongs are reported (default 0: off)\n"
        "  --subscribe N   with --hold, Pusher: after its 101 each connection sends pusher:subscribe to channel\n"
        "                  PREFIX(i mod N), i its index; text frames from the server are counted per connection\n"
        "  --channel-prefix P   the channels' names before the number (default bench-)\n"
        "  --index-base B  the first connection's index i (default 0; process k of a run of n each: k * n)\n"
        "  --stats FILE    with --subscribe and -t 1: time and check throng bench's events (publish time, sequence\n"
        "                  and step in their data) and write counts, per-step latency histograms and subscriptions\n"
        "                  per channel to FILE once a second and at the end (written to FILE.tmp, then renamed)\n"
        "  --stop-with-parent  end the ramp and the hold (as SIGUSR2 and SIGUSR1 do) once the parent process exits\n"
        "  --reuse         with --close, reconnect each slot's socket after its RST (connect(AF_UNSPEC))\n"
        "                  instead of a new socket: fewer syscalls per handshake; a slot keeps its source port\n"
        "  --graceful      close with FIN instead of an abortive RST (SO_LINGER {1,0}); leaves TIME_WAIT\n"
        "                  on this side for 60 s per 4-tuple, so source tuples run out at high rates\n"
        "  -q              no per-second lines\n"
        "SIGUSR1 ends the hold at once (the summary follows, as after --hold-for); SIGUSR2 stops starting\n"
        "handshakes (as -d running out).\n"
        "Exit status: 0 when all N succeeded, 1 otherwise, 2 on bad usage.\n");
}

static bool parse_u64(const char *s, uint64_t *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end) return false;
    *out = v;
    return true;
}

static bool parse_double(const char *s, double *out) {
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || v < 0) return false;
    *out = v;
    return true;
}

static void die_usage(const char *msg, const char *arg) {
    fprintf(stderr, "hsload: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    usage(stderr);
    exit(2);
}

static void parse_sources(const char *arg) {
    char a[64], b[64];
    const char *dash = strchr(arg, '-');
    size_t la = dash ? (size_t)(dash - arg) : strlen(arg);
    if (la >= sizeof a || (dash && strlen(dash + 1) >= sizeof b)) die_usage("bad -s", arg);
    memcpy(a, arg, la); a[la] = 0;
    snprintf(b, sizeof b, "%s", dash ? dash + 1 : a);
    struct in_addr ia, ib;
    if (inet_pton(AF_INET, a, &ia) != 1) die_usage("bad -s", arg);
    if (inet_pton(AF_INET, b, &ib) != 1) {  // "127.0.0.30-39" shorthand: B is the last octet
        uint64_t last;
        if (!parse_u64(b, &last) || last > 255) die_usage("bad -s", arg);
        ib.s_addr = htonl((ntohl(ia.s_addr) & 0xFFFFFF00u) | (uint32_t)last);
    }
    cfg.src_lo = ntohl(ia.s_addr);
    cfg.src_hi = ntohl(ib.s_addr);
    if (cfg.src_hi < cfg.src_lo || cfg.src_hi - cfg.src_lo > 65535) die_usage("bad -s range", arg);
}

static void parse_target(const char *arg) {
    const char *colon = strrchr(arg, ':');
    if (!colon || colon == arg) die_usage("want HOST:PORT", arg);
    char host[256];
    size_t hl = (size_t)(colon - arg);
    if (hl >= sizeof host) die_usage("host too long", arg);
    memcpy(host, arg, hl); host[hl] = 0;
    uint64_t port;
    if (!parse_u64(colon + 1, &port) || port == 0 || port > 65535) die_usage("bad port", arg);
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res;
    int rc = getaddrinfo(host, NULL, &hints, &res);
    if (rc) { fprintf(stderr, "hsload: %s: %s\n", host, gai_strerror(rc)); exit(2); }
    cfg.server = *(struct sockaddr_in *)res->ai_addr;
    cfg.server.sin_port = htons((uint16_t)port);
    freeaddrinfo(res);
    snprintf(cfg.host_header, sizeof cfg.host_header, "%s", arg);
}

static void on_sigusr1(int sig) { (void)sig; end_hold = 1; }

static void on_sigusr2(int sig) { (void)sig; atomic_store(&stop_flag, true); }  // lock-free: async-signal-safe

static double tv_s(struct timeval tv) { return (double)tv.tv_sec + (double)tv.tv_usec / 1e6; }

int main(int argc, char **argv) {
    static const struct option longs[] = {
        {"close", no_argument, NULL, 'C'}, {"hold", no_argument, NULL, 'H'},
        {"hold-for", required_argument, NULL, 'F'}, {"graceful", no_argument, NULL, 'G'},
        {"reuse", no_argument, NULL, 'R'}, {"client-ping", required_argument, NULL, 'K'},
        {"path", required_argument, NULL, 'P'}, {"subscribe", required_argument, NULL, 'S'},
        {"channel-prefix", required_argument, NULL, 'X'}, {"index-base", required_argument, NULL, 'I'},
        {"stats", required_argument, NULL, 'Y'}, {"stop-with-parent", no_argument, NULL, 'W'},
        {"help", no_argument, NULL, 'h'}, {0, 0, 0, 0}};
    int opt;
    uint64_t v;
    while ((opt = getopt_long(argc, argv, "n:c:t:s:p:d:T:r:P:qh", longs, NULL)) != -1) {
        switch (opt) {
        case 'n': if (!parse_u64(optarg, &v) || v == 0) die_usage("bad -n", optarg); cfg.total = v; break;
        case 'c': if (!parse_u64(optarg, &v) || v == 0 || v > 1000000) die_usage("bad -c", optarg);
                  cfg.concurrency = (unsigned)v; break;
        case 't': if (!parse_u64(optarg, &v) || v == 0 || v > 64) die_usage("bad -t", optarg);
                  cfg.threads = (unsigned)v; break;
        case 's': parse_sources(optarg); break;
        case 'p': {
            unsigned lo, hi;
            char extra;
            if (sscanf(optarg, "%u-%u%c", &lo, &hi, &extra) != 2 || lo == 0 || hi > 65535 || hi < lo)
                die_usage("bad -p", optarg);
            cfg.port_lo = lo; cfg.port_hi = hi;
            break;
        }
        case 'd': if (!parse_double(optarg, &cfg.duration_s) || cfg.duration_s == 0) die_usage("bad -d", optarg); break;
        case 'r': if (!parse_double(optarg, &cfg.rate) || cfg.rate < 0) die_usage("bad -r", optarg); break;
        case 'T': if (!parse_double(optarg, &cfg.timeout_s) || cfg.timeout_s == 0) die_usage("bad -T", optarg); break;
        case 'P': if (optarg[0] != '/') die_usage("-P must start with /", optarg); cfg.path = optarg; break;
        case 'C': cfg.hold = false; break;
        case 'H': cfg.hold = true; break;
        case 'K': if (!parse_double(optarg, &cfg.client_ping_s)) die_usage("bad --client-ping", optarg); break;
        case 'F': if (!parse_double(optarg, &cfg.hold_for_s)) die_usage("bad --hold-for", optarg); break;
        case 'S': if (!parse_u64(optarg, &v) || v == 0) die_usage("bad --subscribe", optarg); cfg.subscribe = v; break;
        case 'X': {  // Pusher's channel name characters; with the number it must stay within 164
            size_t len = strlen(optarg);
            static const char allowed[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-=@,.;";
            if (len > 100 || strspn(optarg, allowed) != len)
                die_usage("bad --channel-prefix (at most 100 of A-Z a-z 0-9 _ - = @ , . ;)", optarg);
            cfg.channel_prefix = optarg;
            break;
        }
        case 'I': if (!parse_u64(optarg, &v)) die_usage("bad --index-base", optarg); cfg.index_base = v; break;
        case 'Y': cfg.stats_path = optarg; break;
        case 'W': cfg.stop_with_parent = true; break;
        case 'G': cfg.graceful = true; break;
        case 'R': cfg.reuse = true; break;
        case 'q': cfg.quiet = true; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc - 1) die_usage("want exactly one HOST:PORT", NULL);
    parse_target(argv[optind]);
    if (cfg.reuse && (cfg.hold || cfg.graceful)) die_usage("--reuse goes with --close and an abortive close", NULL);
    if (cfg.subscribe && !cfg.hold) die_usage("--subscribe goes with --hold", NULL);
    if (cfg.stats_path && (!cfg.subscribe || cfg.threads != 1))
        die_usage("--stats goes with --subscribe and -t 1 (one thread owns the counters it writes)", NULL);
    if (cfg.stats_path && strlen(cfg.stats_path) > PATH_MAX - 8) die_usage("--stats path too long", NULL);
    if (strlen(cfg.path) > 1000) die_usage("path too long", NULL);
    if (cfg.concurrency < cfg.threads) die_usage("-c must be at least -t", NULL);
    if (cfg.port_hi - cfg.port_lo + 1 < cfg.threads) die_usage("fewer source ports than threads", NULL);
    if (cfg.concurrency > cfg.total) cfg.concurrency = (unsigned)cfg.total;
    if (cfg.threads > cfg.concurrency) cfg.threads = cfg.concurrency;

    // Raise the open-files soft limit to the hard one; --hold needs one fd per connection held.
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
    nofile = rl.rlim_cur > INT_MAX / 2 ? INT_MAX / 2 : (int)rl.rlim_cur;
    uint64_t need = (cfg.hold ? cfg.total : 0) + cfg.concurrency + 32;
    if (need > (uint64_t)nofile) {
        fprintf(stderr, "hsload: needs %" PRIu64 " open files (%s), the limit is %d\n", need,
                cfg.hold ? "--hold keeps N open" : "-c in flight", nofile);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {.sa_handler = on_sigusr1};
    sigaction(SIGUSR1, &sa, NULL);
    struct sigaction sa2 = {.sa_handler = on_sigusr2};
    sigaction(SIGUSR2, &sa2, NULL);
    parent = getppid();
    char probe[ACCEPT_LEN];  // RFC 6455 section 1.3's example: a wrong SHA-1 must not pass as "bad accept"
    accept_for("dGhlIHNhbXBsZSBub25jZQ==", probe);
    if (memcmp(probe, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", ACCEPT_LEN) != 0) {
        fprintf(stderr, "hsload: SHA-1 self-test failed\n");
        return 2;
    }
    build_request_template();

    uint64_t seed;
    if (getrandom(&seed, sizeof seed, 0) != sizeof seed) seed = now_ns();
    struct worker *ws = calloc(cfg.threads, sizeof *ws);
    unsigned nports = cfg.port_hi - cfg.port_lo + 1;
    int fd_cap = nofile;  // fd numbers are process-wide: any thread may get any number below the limit
    for (unsigned i = 0; i < cfg.threads; i++) {
        struct worker *w = &ws[i];
        w->id = i;
        w->quota = cfg.total / cfg.threads + (i < cfg.total % cfg.threads);
        w->conc = cfg.concurrency / cfg.threads + (i < cfg.concurrency % cfg.threads);
        w->port_lo = cfg.port_lo + (unsigned)((uint64_t)nports * i / cfg.threads);
        w->port_hi = cfg.port_lo + (unsigned)((uint64_t)nports * (i + 1) / cfg.threads) - 1;
        w->rng = seed ^ (0x9E3779B97F4A7C15ull * (i + 1));
        if (!w->rng) w->rng = 1;
        w->ep = epoll_create1(EPOLL_CLOEXEC);
        w->slots = calloc(w->conc, sizeof *w->slots);
        w->free_stack = malloc(w->conc * sizeof *w->free_stack);
        w->fd_cap = fd_cap;
        w->fd_slot = malloc((size_t)fd_cap * sizeof *w->fd_slot);
        w->last_ping = calloc((size_t)fd_cap, sizeof *w->last_ping);
        w->cping_sent = calloc((size_t)fd_cap, sizeof *w->cping_sent);
        w->cping_due = calloc((size_t)fd_cap, sizeof *w->cping_due);
        w->conns = calloc((size_t)fd_cap, sizeof *w->conns);
        w->part = calloc((size_t)fd_cap, sizeof *w->part);  // untouched pages cost nothing
        if (cfg.stats_path) {
            w->steps = calloc(STEP_MAX, sizeof *w->steps);
            w->chan_acks = calloc(cfg.subscribe, sizeof *w->chan_acks);
            if (!w->steps || !w->chan_acks) { perror("hsload: --stats"); return 2; }
        }
        if (w->ep < 0 || !w->slots || !w->free_stack || !w->fd_slot || !w->last_ping || !w->cping_sent ||
            !w->cping_due || !w->conns || !w->part) { perror("hsload: setup"); return 2; }
        for (int f = 0; f < fd_cap; f++) w->fd_slot[f] = FD_NONE;
        for (unsigned k = 0; k < w->conc; k++) {
            w->slots[k].fd = -1;
            w->slots[k].spare = -1;
            w->free_stack[k] = w->conc - 1 - k;
        }
        w->free_n = w->conc;
    }

    char src_lo[INET_ADDRSTRLEN], src_hi[INET_ADDRSTRLEN];
    struct in_addr a = {htonl(cfg.src_lo)}, b = {htonl(cfg.src_hi)};
    inet_ntop(AF_INET, &a, src_lo, sizeof src_lo);
    inet_ntop(AF_INET, &b, src_hi, sizeof src_hi);
    printf("hsload: %" PRIu64 " handshakes to %s%s, %s, %u thread%s, concurrency %u, sources %s-%s ports %u-%u,"
           " time bound %gs\n", cfg.total, cfg.host_header, cfg.path, cfg.hold ? "hold" : cfg.graceful ?
           "close (FIN)" : cfg.reuse ? "close (RST, sockets reused)" : "close (RST)", cfg.threads, cfg.threads == 1 ? "" : "s", cfg.concurrency, src_lo, src_hi,
           cfg.port_lo, cfg.port_hi, cfg.duration_s);
    if (cfg.subscribe)
        printf("hsload: each subscribes to %s(i mod %" PRIu64 "), i from %" PRIu64 "\n", cfg.channel_prefix,
               cfg.subscribe, cfg.index_base);
    fflush(stdout);

    struct rusage ru0, ru1;
    getrusage(RUSAGE_SELF, &ru0);
    start_ns = now_ns();
    for (unsigned i = 0; i < cfg.threads; i++) pthread_create(&ws[i].tid, NULL, worker_main, &ws[i]);

    // Per-second report; also enforces -d.
    uint64_t deadline = start_ns + (uint64_t)(cfg.duration_s * 1e9), prev_ok = 0, prev_failed = 0, best = 0;
    for (unsigned sec = 1;; sec++) {
        uint64_t tick = start_ns + (uint64_t)sec * 1000000000u;
        bool all_done = false;
        while (!all_done) {
            uint64_t now = now_ns();
            if (now >= tick) break;
            if (now >= deadline) atomic_store(&stop_flag, true);
            if (parent_gone()) { atomic_store(&stop_flag, true); end_hold = 1; }
            all_done = true;
            for (unsigned i = 0; i < cfg.threads; i++) all_done &= atomic_load(&ws[i].done);
            uint64_t wait = tick - now > 20000000u ? 20000000u : tick - now;
            struct timespec ts = {0, (long)wait};
            if (!all_done) nanosleep(&ts, NULL);
        }
        if (all_done) break;
        uint64_t ok = 0, failed = 0, inflight = 0, held = 0;
        for (unsigned i = 0; i < cfg.threads; i++) {
            ok += atomic_load_explicit(&ws[i].ok, memory_order_relaxed);
            failed += atomic_load_explicit(&ws[i].failed, memory_order_relaxed);
            inflight += atomic_load_explicit(&ws[i].inflight, memory_order_relaxed);
            held += atomic_load_explicit(&ws[i].held, memory_order_relaxed);
        }
        if (ok - prev_ok > best) best = ok - prev_ok;
        if (!cfg.quiet) {
            printf("%5us  %8" PRIu64 " ok/s  %6" PRIu64 " failed/s  %6" PRIu64 " in flight  %8" PRIu64 " ok total",
                   sec, ok - prev_ok, failed - prev_failed, inflight, ok);
            if (cfg.hold) printf("  %8" PRIu64 " held", held);
            printf("\n");
            fflush(stdout);
        }
        prev_ok = ok;
        prev_failed = failed;
    }
    for (unsigned i = 0; i < cfg.threads; i++) pthread_join(ws[i].tid, NULL);

    uint64_t reused = 0, end = start_ns, ok = 0, failed = 0, unfinished = 0, skipped = 0, direct = 0, held = 0, dropped = 0;
    uint64_t fails[F_COUNT] = {0}, statuses[600] = {0}, hist[HIST_BUCKETS] = {0};
    uint64_t by_count[5] = {0}, subscribed = 0, events = 0;  // over the connections held at the end
    for (unsigned i = 0; i < cfg.threads; i++) {
        struct worker *w = &ws[i];
        if (w->end_ns > end) end = w->end_ns;
        ok += w->ok; failed += w->failed; unfinished += w->unfinished; skipped += w->skipped;
        direct += w->sent_on_connect; reused += w->reused; held += w->held; dropped += w->held_dropped;
        for (int k = 0; k < F_COUNT; k++) fails[k] += w->fails[k];
        for (int k = 0; k < 600; k++) statuses[k] += w->statuses[k];
        for (int k = 0; k < HIST_BUCKETS; k++) hist[k] += w->hist[k];
    }
    double elapsed = (double)(end - start_ns) / 1e9;

    if (cfg.hold) {  // hold the survivors a while longer, still noticing server-side closes, then close them all
        uint64_t until = now_ns() + (uint64_t)(cfg.hold_for_s * 1e9);
        if (cfg.hold_for_s > 0) printf("holding %" PRIu64 " connections for %gs\n", held, cfg.hold_for_s);
        fflush(stdout);
        uint64_t last_sweep = 0;
        if (cfg.stats_path) { ws[0].next_stats_ns = now_ns() + 1000000000u; stats_write(&ws[0], "holding"); }
        while (now_ns() < until && !end_hold && !parent_gone()) {
            if (cfg.threads == 1) {
                poll_once(&ws[0], 10);  // wait in epoll: a pong is read (and a round trip timed) as it arrives
            } else {
                for (unsigned i = 0; i < cfg.threads; i++) poll_once(&ws[i], 0);
                struct timespec ts = {0, 10000000};
                nanosleep(&ts, NULL);
            }
            uint64_t now = now_ns();
            if (cfg.client_ping_s > 0 && now - last_sweep >= 20000000u) {
                for (unsigned i = 0; i < cfg.threads; i++) send_client_pings(&ws[i], now);
                last_sweep = now;
            }
            stats_tick(&ws[0], now, "holding");
        }
        if (end_hold) printf("hold ended by SIGUSR1\n");
        else if (parent_gone()) printf("hold ended: the parent process exited\n");
        held = dropped = 0;
        for (unsigned i = 0; i < cfg.threads; i++) {
            struct worker *w = &ws[i];
            held += w->held;
            dropped += w->held_dropped;
            for (int f = 0; f < w->fd_cap; f++)
                if (w->fd_slot[f] == FD_HELD) {  // the held connections' texts, before they close
                    const struct conn *c = &w->conns[f];
                    by_count[c->texts < 4 ? c->texts : 4]++;
                    if (c->flags & C_SUBSCRIBED) { subscribed++; events += c->texts > 2 ? c->texts - 2u : 0; }
                    close_fd(f, !cfg.graceful);
                    w->fd_slot[f] = FD_NONE;
                }
        }
    }
    uint64_t pings = 0, pongs = 0, pong_failed = 0, partial = 0, unparsed = 0, server_closes = 0, held_reset = 0;
    uint64_t texts = 0, pusher_errors = 0, subscribes = 0, subscribe_failed = 0;
    uint64_t cpings = 0, cpongs = 0, cping_failed = 0, rtt_hist[HIST_BUCKETS] = {0};
    static uint64_t ping_hist[PING_BUCKETS];
    for (unsigned i = 0; i < cfg.threads; i++) {
        struct worker *w = &ws[i];
        pings += w->pings; pongs += w->pongs; pong_failed += w->pong_failed; partial += w->partial;
        unparsed += w->unparsed; texts += w->texts; pusher_errors += w->pusher_errors; subscribes += w->subscribes;
        subscribe_failed += w->subscribe_failed;
        server_closes += w->server_closes; held_reset += w->held_reset;
        cpings += w->cpings; cpongs += w->cpongs; cping_failed += w->cping_failed;
        for (int k = 0; k < HIST_BUCKETS; k++) rtt_hist[k] += w->rtt_hist[k];
        for (int k = 0; k < PING_BUCKETS; k++) ping_hist[k] += w->ping_hist[k];
    }
    uint64_t intervals = 0;  // a connection's first ping has no interval before it
    for (int k = 0; k < PING_BUCKETS; k++) intervals += ping_hist[k];
    getrusage(RUSAGE_SELF, &ru1);
    double user = tv_s(ru1.ru_utime) - tv_s(ru0.ru_utime), sys = tv_s(ru1.ru_stime) - tv_s(ru0.ru_stime);
    double total_elapsed = (double)(now_ns() - start_ns) / 1e9;
    double rate = elapsed > 0 ? (double)ok / elapsed : 0;

    printf("succeeded   %" PRIu64 " of %" PRIu64 " in %.3f s = %.0f handshakes/s (best second %" PRIu64 ")\n",
           ok, cfg.total, elapsed, rate, best);
    printf("failed      %" PRIu64, failed);
    const char *sep = " (";
    for (int k = 0; k < F_COUNT; k++)
        if (fails[k]) { printf("%s%s %" PRIu64, sep, fail_names[k], fails[k]); sep = ", "; }
    if (failed) printf(")");
    printf("\n");
    for (int k = 0; k < 600; k++)
        if (statuses[k]) printf("  status %d: %" PRIu64 "\n", k, statuses[k]);
    if (unfinished) printf("unfinished  %" PRIu64 " (in flight when -d %gs ran out)\n", unfinished, cfg.duration_s);
    if (cfg.hold) {
        printf("held        %" PRIu64 " at the end, %" PRIu64 " closed by the server while held (%" PRIu64
               " close frames, %" PRIu64 " resets)\n", held, dropped, server_closes, held_reset);
        printf("pings       %" PRIu64 " received, %" PRIu64 " pongs sent, %" PRIu64 " pongs not written; interval p50"
               " %.2f s  p99 %.2f s  max %.2f s (%" PRIu64 " intervals, 10 ms steps)\n",
               pings, pongs, pong_failed, ping_percentile_s(ping_hist, intervals, 0.50),
               ping_percentile_s(ping_hist, intervals, 0.99), ping_percentile_s(ping_hist, intervals, 1.0), intervals);
        printf("frames      %" PRIu64 " texts; held connections by texts received: 0: %" PRIu64 ", 1: %" PRIu64
               ", 2: %" PRIu64 ", 3: %" PRIu64 ", 4+: %" PRIu64 "; %" PRIu64 " reads ended inside a frame (carried),"
               " %" PRIu64 " frames not understood\n", texts, by_count[0], by_count[1], by_count[2], by_count[3],
               by_count[4], partial, unparsed);
        if (cfg.subscribe)
            printf("pusher      %" PRIu64 " subscribes sent (%" PRIu64 " not written), %" PRIu64 " of %" PRIu64
                   " held subscribed (subscription_succeeded), %" PRIu64 " events on them after the first two"
                   " texts, %" PRIu64 " pusher:error\n", subscribes, subscribe_failed, subscribed, held, events,
                   pusher_errors);
        if (cfg.client_ping_s > 0)
            printf("client ping %" PRIu64 " sent, %" PRIu64 " answered (the rest still in flight at the end), %" PRIu64
                   " not written; round trip p50 %" PRIu64 " us  p90 %" PRIu64 " us  p99 %" PRIu64 " us  max %" PRIu64
                   " us (within 12.5%%)\n", cpings, cpongs, cping_failed, hist_percentile(rtt_hist, cpongs, 0.50),
                   hist_percentile(rtt_hist, cpongs, 0.90), hist_percentile(rtt_hist, cpongs, 0.99),
                   hist_percentile(rtt_hist, cpongs, 1.0));
    }
    printf("latency     p50 %" PRIu64 " us  p90 %" PRIu64 " us  p99 %" PRIu64 " us  max %" PRIu64
           " us (connect to verified 101, within 12.5%%)\n", hist_percentile(hist, ok, 0.50),
           hist_percentile(hist, ok, 0.90), hist_percentile(hist, ok, 0.99), hist_percentile(hist, ok, 1.0));
    printf("own cpu     user %.2f s + sys %.2f s = %.2f s over %.2f s (%.0f%% of one core), %.1f us per handshake\n",
           user, sys, user + sys, total_elapsed, 100 * (user + sys) / total_elapsed,
           ok ? (user + sys) * 1e6 / (double)ok : 0.0);
    printf("notes       %" PRIu64 " requests sent straight after connect, %" PRIu64 " busy source tuples skipped,"
           " %" PRIu64 " sockets reused\n", direct, skipped, reused);
    printf("summary ok=%" PRIu64 " failed=%" PRIu64 " unfinished=%" PRIu64 " elapsed_s=%.3f rate=%.0f best_second=%"
           PRIu64 " p50_us=%" PRIu64 " p99_us=%" PRIu64 " cpu_user_s=%.3f cpu_sys_s=%.3f", ok, failed, unfinished,
           elapsed, rate, best, hist_percentile(hist, ok, 0.50), hist_percentile(hist, ok, 0.99), user, sys);
    for (int k = 0; k < F_COUNT; k++) printf(" %s=%" PRIu64, fail_names[k], fails[k]);
    if (cfg.hold)
        printf(" held=%" PRIu64 " dropped=%" PRIu64 " pings=%" PRIu64 " pongs=%" PRIu64 " pong_failed=%" PRIu64
               " partial=%" PRIu64 " ping_p50_s=%.2f ping_p99_s=%.2f ping_max_s=%.2f", held, dropped,
               pings, pongs, pong_failed, partial, ping_percentile_s(ping_hist, intervals, 0.50),
               ping_percentile_s(ping_hist, intervals, 0.99), ping_percentile_s(ping_hist, intervals, 1.0));
    if (cfg.hold)
        printf(" unparsed=%" PRIu64 " texts=%" PRIu64 " texts_by_conn=0:%" PRIu64 ",1:%" PRIu64 ",2:%" PRIu64 ",3:%"
               PRIu64 ",4+:%" PRIu64 " pusher_errors=%" PRIu64, unparsed, texts, by_count[0], by_count[1], by_count[2],
               by_count[3], by_count[4], pusher_errors);
    if (cfg.subscribe)
        printf(" subscribes=%" PRIu64 " subscribe_failed=%" PRIu64 " subscribed=%" PRIu64 " events=%" PRIu64,
               subscribes, subscribe_failed, subscribed, events);
    if (cfg.client_ping_s > 0)
        printf(" cpings=%" PRIu64 " cpongs=%" PRIu64 " rtt_p50_us=%" PRIu64 " rtt_p99_us=%" PRIu64 " rtt_max_us=%" PRIu64,
               cpings, cpongs, hist_percentile(rtt_hist, cpongs, 0.50), hist_percentile(rtt_hist, cpongs, 0.99),
               hist_percentile(rtt_hist, cpongs, 1.0));
    printf("\n");
    if (cfg.stats_path) stats_write(&ws[0], "done");  // the last one: the caller reads it once hsload has exited
    bool pusher_ok = !cfg.subscribe || (pusher_errors == 0 && subscribed == held);
    return ok == cfg.total && dropped == 0 && pusher_ok ? 0 : 1;
}
