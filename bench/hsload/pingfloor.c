// pingfloor: the least a WebSocket server can do to keep idle connections alive with pings, as a floor to measure
// a real server's idle CPU against (docs/benchmarks.md section 17).
//
//   pingfloor PORT [INTERVAL_S [TICK_MS [SECONDS [random|open]]]]
//   defaults: 30 s pings, 1,000 ms ticks, run 600 s, random phases
//
// One thread, one epoll set. It answers each upgrade request with a 101 (Sec-WebSocket-Accept computed, nothing
// else checked), then per connection does only what keepalive needs: every INTERVAL_S a 2-byte ping frame with one
// write(), and edge-triggered read()s until a short read when the pong arrives (the bytes are dropped, not parsed).
// Pings are batched per tick as Throng's keepalive wheel does (1 s), each connection at a fixed phase of the
// interval: a random one (as Throng), or with "open" the phase at which it opened. No allocation after start, no
// timers per connection, no other work. What it costs the kernel per ping is the floor of any server on this
// machine that writes one frame and reads one per ping.
//
// It stops by itself after SECONDS. Not a server to use: no limits, no validation, no close handshake.
// C11 + Linux (epoll), libc only; built by bench/hsload/build.sh.
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ws_accept.h"

#define MAX_FD 65536
#define READ_SIZE 4096

enum { FREE, HANDSHAKE, OPEN };

static uint8_t state[MAX_FD];

// The keepalive wheel: one slot per tick of the interval, each a doubly linked list of descriptors (arrays indexed
// by descriptor, -1 ends a list). A connection joins a slot when it opens and is pinged each time the wheel's cursor
// passes it: at the phase of the interval at which it opened ("open"), or at a random one, as Throng's wheel does
// ("random"; the default). The order matters to the kernel: connections opened one after another have their socket
// structures next to each other in memory, and pinging them in that order finds them in cache more often.
static int *slot_head, next_fd[MAX_FD], prev_fd[MAX_FD], slot_of[MAX_FD];
static size_t slot_count, cursor;
static bool random_phase = true;

static void join_wheel(int fd) {
    size_t slot = random_phase ? (size_t)random() % slot_count : (cursor + slot_count - 1) % slot_count;
    slot_of[fd] = (int)slot;
    prev_fd[fd] = -1;
    next_fd[fd] = slot_head[slot];
    if (slot_head[slot] >= 0) prev_fd[slot_head[slot]] = fd;
    slot_head[slot] = fd;
}

static void leave_wheel(int fd) {
    if (prev_fd[fd] >= 0) next_fd[prev_fd[fd]] = next_fd[fd];
    else slot_head[slot_of[fd]] = next_fd[fd];
    if (next_fd[fd] >= 0) prev_fd[next_fd[fd]] = prev_fd[fd];
}

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void close_fd(int fd) {
    if (state[fd] == OPEN) leave_wheel(fd);
    close(fd);
    state[fd] = FREE;
}

// The 101 for a request read whole (loopback and hsload send it in one segment); anything else is closed.
static void handshake(int fd) {
    char buf[READ_SIZE + 1];
    ssize_t n = read(fd, buf, READ_SIZE);
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) { close_fd(fd); return; }
    buf[n] = 0;
    const char *key = strcasestr(buf, "\r\nSec-WebSocket-Key:");
    if (key == NULL || strstr(buf, "\r\n\r\n") == NULL) { close_fd(fd); return; }
    key += strlen("\r\nSec-WebSocket-Key:");
    while (*key == ' ') key++;
    if (strlen(key) < KEY_LEN) { close_fd(fd); return; }
    char accept[ACCEPT_LEN], reply[160];
    accept_for(key, accept);
    int len = snprintf(reply, sizeof reply, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Accept: %.*s\r\n\r\n", ACCEPT_LEN, accept);
    if (write(fd, reply, (size_t)len) != len) { close_fd(fd); return; }
    state[fd] = OPEN;
    join_wheel(fd);
}

// Edge-triggered: read until a short read; pongs (and anything else) are dropped.
static void drain(int fd) {
    static char buf[READ_SIZE];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n == READ_SIZE) continue;
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) close_fd(fd);
        return;
    }
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: pingfloor PORT [INTERVAL_S [TICK_MS [SECONDS [random|open]]]]\n");
        return 2;
    }
    int port = atoi(argv[1]);
    uint64_t interval_ms = (argc > 2 ? strtoull(argv[2], NULL, 10) : 30) * 1000;
    uint64_t tick_ms = argc > 3 ? strtoull(argv[3], NULL, 10) : 1000;
    uint64_t run_ms = (argc > 4 ? strtoull(argv[4], NULL, 10) : 600) * 1000;
    random_phase = argc <= 5 || strcmp(argv[5], "open") != 0;
    slot_count = interval_ms / tick_ms > 0 ? interval_ms / tick_ms : 1;
    slot_head = malloc(slot_count * sizeof *slot_head);
    for (size_t i = 0; i < slot_count; i++) slot_head[i] = -1;

    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                               .sin_addr.s_addr = htonl(INADDR_ANY)};
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(listener, 4096) != 0) {
        perror("pingfloor: bind/listen");
        return 1;
    }
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = listener};
    epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
    static const uint8_t ping[2] = {0x89, 0x00};  // FIN + ping, no payload
    uint64_t start = now_ms(), next_tick = start + tick_ms, pings = 0;
    srandom((unsigned)start);
    struct epoll_event events[256];
    for (;;) {
        uint64_t now = now_ms();
        if (now - start >= run_ms) break;
        int n = epoll_wait(ep, events, 256, next_tick > now ? (int)(next_tick - now) : 0);
        now = now_ms();
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd == listener) {
                for (int c; (c = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) >= 0;) {
                    if (c >= MAX_FD) { close(c); continue; }
                    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    state[c] = HANDSHAKE;
                    struct epoll_event cev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.fd = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
                    handshake(c);  // with loopback the request is usually there already
                }
            } else if (state[fd] == HANDSHAKE) {
                handshake(fd);
            } else if (state[fd] == OPEN) {
                drain(fd);
            }
        }
        if (now >= next_tick) {
            cursor = (cursor + 1) % slot_count;
            for (int fd = slot_head[cursor], next; fd >= 0; fd = next) {
                next = next_fd[fd];
                if (write(fd, ping, sizeof ping) != sizeof ping) close_fd(fd);
                else pings++;
            }
            next_tick += tick_ms;
        }
    }
    printf("pingfloor: %llu pings in %llu s\n", (unsigned long long)pings, (unsigned long long)(run_ms / 1000));
    return 0;
}
