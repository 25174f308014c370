package dev.throng.bench.run;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A lean HTTP/1.1 client for the publisher: a few kept-alive connections, each carrying a pipeline of requests
 * (sent back to back, answered in order, RFC 9112 §9.3.2), so that thousands of triggers per second cost one
 * {@code write} each and a reader thread per connection, not a connection per request in flight. Measured on the
 * 2-core box against Bun: the JDK's {@code HttpClient} tops out near 2,500-3,200 requests/s and spends over half a
 * core doing it, CPU the server under test needs.
 *
 * <p><b>Order.</b> Each request names an affinity (the publisher's channel group) and always goes on the same
 * connection, so the requests of one group are processed in the order sent: a server handles one connection's
 * pipelined requests in turn, while requests on different connections race, and a channel's events would reach
 * subscribers out of sequence.
 *
 * <p>Responses are read just enough to get the status and skip the body ({@code Content-Length} or chunked). A
 * connection that fails, or whose oldest request is older than the timeout, is closed: its requests in flight fail
 * ({@code io} or {@code timeout}) and the next send opens it again.
 *
 * <p>A server that answers {@code Connection: close} (Soketi does, on every response: uWebSockets'
 * {@code res.end(body, true)}) gets no more pipelining: from then on each connection carries one request at a time
 * and is opened again for the next. Soketi also answers its errors with status 200 and a body
 * {@code {"error":…,"code":401}}; a small body with an {@code "error"} member and a {@code "code"} counts as that
 * code.
 *
 * <p>{@link #acquire} and {@link #send} are called from one thread (the publisher's); callbacks run on the
 * connections' reader threads.
 */
final class PipelinedClient implements AutoCloseable {

    /** Told how a request ended: {@code status} 100-599, or -1 with {@code error} {@code io} / {@code timeout}. */
    interface Callback {
        void done(int status, String error, long sentNanos);
    }

    private record Pending(long sentNanos, Callback callback) {}

    /** A semaphore whose permits can be taken away (when pipelining ends). */
    private static final class Permits extends Semaphore {
        Permits(int permits) {
            super(permits);
        }

        void reduce(int n) {
            reducePermits(n);
        }
    }

    private final InetSocketAddress address;
    private final long timeoutNanos;
    private final Connection[] connections;
    private final int depth;
    /** False once the server said {@code Connection: close}: one request per connection at a time from then on. */
    private volatile boolean persistent = true;

    /**
     * @param connections kept-alive connections
     * @param depth requests in flight at most on each connection
     * @param timeout how old a connection's oldest request may grow before the connection is given up
     */
    PipelinedClient(String host, int port, int connections, int depth, Duration timeout) {
        this.address = new InetSocketAddress(host, port);
        this.timeoutNanos = timeout.toNanos();
        this.depth = depth;
        this.connections = new Connection[connections];
        for (int i = 0; i < connections; i++) {
            this.connections[i] = new Connection(i);
        }
    }

    /**
     * Waits until {@code deadlineNanos} at most for room on the connection of {@code affinity}; a {@code true} answer
     * must be followed by one {@link #send} with the same affinity.
     */
    boolean acquire(int affinity, long deadlineNanos) throws InterruptedException {
        expire();
        Permits permits = connection(affinity).permits;
        if (permits.tryAcquire()) {
            return true;
        }
        for (long left = deadlineNanos - System.nanoTime(); left > 0; left = deadlineNanos - System.nanoTime()) {
            if (permits.tryAcquire(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)), TimeUnit.NANOSECONDS)) {
                return true;
            }
            expire();
        }
        return false;
    }

    /** Sends {@code request} (head and body) on the connection of {@code affinity}, after {@link #acquire}. */
    void send(int affinity, byte[] request, Callback callback) {
        Connection c = connection(affinity);
        if (!c.send(request, callback)) { // it could not be opened
            callback.done(-1, "io", System.nanoTime());
            c.permits.release();
        }
    }

    private Connection connection(int affinity) {
        return connections[Math.floorMod(affinity, connections.length)];
    }

    /** Waits up to {@code nanos} for every request in flight to end; returns whether they all did. */
    boolean drain(long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        for (Connection c : connections) {
            while (!c.idle()) {
                expire();
                if (System.nanoTime() - deadline > 0) {
                    return false;
                }
                Thread.sleep(5);
            }
        }
        return true;
    }

    /** Closes connections whose oldest request has waited longer than the timeout. */
    private void expire() {
        long now = System.nanoTime();
        for (Connection c : connections) {
            c.expireIfOlderThan(now - timeoutNanos);
        }
    }

    @Override
    public void close() {
        for (Connection c : connections) {
            c.fail("io", null);
        }
    }

    /** One kept-alive connection and its pipeline. */
    private final class Connection {
        private final int id;
        private final ArrayDeque<Pending> inFlight = new ArrayDeque<>();
        /** Room in this connection's pipeline: {@code depth}, and 1 once the server ends connections. */
        final Permits permits = new Permits(depth);

        private boolean pipelining = true;
        private Socket socket;
        private OutputStream out;
        /** The server said {@code Connection: close} on this socket: nothing more is sent on it. */
        private boolean closing;

        Connection(int id) {
            this.id = id;
        }

        /** Sends on this connection (the caller holds a permit); opens it first if needed. False: it cannot open. */
        boolean send(byte[] request, Callback callback) {
            // A socket the server ends after what it has in flight (the first Connection: close, while requests were
            // still pipelined): let the reader take their answers first, for a second at most.
            for (int i = 0; i < 200 && closingWithRequests(); i++) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            Socket s;
            synchronized (this) {
                if (!persistent && pipelining) {
                    pipelining = false;
                    permits.reduce(depth - 1); // one at a time from now on
                }
                if (closing) { // the server did not end it in time: give it up
                    failLocked("io", socket);
                }
                if (socket == null && !open()) {
                    return false;
                }
                s = socket;
                inFlight.addLast(new Pending(System.nanoTime(), callback));
            }
            try {
                out.write(request);
                out.flush();
            } catch (IOException e) {
                fail("io", s);
            }
            return true;
        }

        /** Opens the socket and starts its reader; false when it cannot connect. */
        private boolean open() {
            try {
                Socket s = new Socket();
                s.setTcpNoDelay(true);
                s.connect(address, 5000);
                socket = s;
                out = s.getOutputStream();
                Thread reader = new Thread(() -> read(s), "bench-publisher-http-" + id);
                reader.setDaemon(true);
                reader.start();
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        private synchronized boolean closingWithRequests() {
            return closing && !inFlight.isEmpty();
        }

        synchronized boolean idle() {
            return inFlight.isEmpty();
        }

        synchronized void expireIfOlderThan(long oldest) {
            Pending head = inFlight.peekFirst();
            if (head != null && head.sentNanos() - oldest < 0) {
                failLocked("timeout", socket);
            }
        }

        /** Closes {@code s} (if it is still this connection's socket; any when null) and fails what is in flight. */
        synchronized void fail(String reason, Socket s) {
            if (s == null || s == socket) {
                failLocked(reason, socket);
            }
        }

        private void failLocked(String reason, Socket s) {
            if (s != null) {
                try {
                    s.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
            socket = null;
            closing = false;
            for (Pending p; (p = inFlight.pollFirst()) != null; ) {
                p.callback().done(-1, reason, p.sentNanos());
                permits.release();
            }
        }

        private void read(Socket s) {
            try {
                InputStream in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
                for (; ; ) {
                    int status = readResponse(in);
                    boolean close = status < 0;
                    status = Math.abs(status);
                    Pending p;
                    synchronized (this) {
                        if (s != socket) {
                            return; // failed meanwhile: its requests were told
                        }
                        p = inFlight.pollFirst();
                        if (close) {
                            closing = true;
                            persistent = false;
                            if (inFlight.isEmpty()) {
                                failLocked("io", s); // nothing left to read: close it ourselves, open anew next time
                            }
                        }
                    }
                    if (p != null) {
                        p.callback().done(status, null, p.sentNanos());
                        permits.release();
                    }
                }
            } catch (IOException e) {
                fail("io", s);
            }
        }
    }

    /**
     * Reads one response; returns its status, negated when the server closes the connection after it. Bodies are
     * skipped by Content-Length or chunked coding, except a small one that may carry Soketi's error code.
     */
    static int readResponse(InputStream in) throws IOException {
        String statusLine = line(in);
        while (statusLine.isEmpty()) { // tolerate a stray CRLF between responses
            statusLine = line(in);
        }
        if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
            throw new IOException("not an HTTP response: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean close = false;
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            int colon = h.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = h.substring(0, colon).trim();
            String value = h.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("content-length")) {
                length = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("transfer-encoding")
                    && value.toLowerCase().contains("chunked")) {
                chunked = true;
            } else if (name.equalsIgnoreCase("connection") && value.equalsIgnoreCase("close")) {
                close = true;
            }
        }
        if (chunked) {
            for (long size = Long.parseLong(chunkSize(line(in)), 16);
                    size > 0;
                    size = Long.parseLong(chunkSize(line(in)), 16)) {
                skip(in, size);
                line(in);
            }
            while (!line(in).isEmpty()) { // trailers
            }
        } else if (length > 0 && length <= SMALL_BODY) {
            status = errorCode(in.readNBytes((int) length), status);
        } else if (length > 0) {
            skip(in, length);
        } else if (length < 0 && status != 204 && status != 304 && status >= 200) {
            throw new EOFException("a response without a length (status " + status + ") ends its connection");
        }
        return close ? -status : status;
    }

    /** Bodies up to this size are read, to find an error reported with status 200. */
    private static final int SMALL_BODY = 1024;

    /** {@code status}, or the {@code "code"} of a body {@code {"error":…,"code":NNN}} with an HTTP-like code. */
    static int errorCode(byte[] body, int status) {
        String text = new String(body, StandardCharsets.UTF_8);
        if (status != 200 || !text.contains("\"error\"")) {
            return status;
        }
        int at = text.indexOf("\"code\":");
        if (at < 0) {
            return 500;
        }
        int from = at + 7;
        int to = from;
        while (to < text.length() && Character.isDigit(text.charAt(to))) {
            to++;
        }
        int code = to > from && to - from <= 3 ? Integer.parseInt(text.substring(from, to)) : 500;
        return code >= 300 && code <= 599 ? code : 500;
    }

    private static String chunkSize(String line) {
        int semicolon = line.indexOf(';');
        return (semicolon < 0 ? line : line.substring(0, semicolon)).trim();
    }

    private static void skip(InputStream in, long n) throws IOException {
        while (n > 0) {
            long k = in.skip(n);
            if (k <= 0) {
                if (in.read() < 0) {
                    throw new EOFException();
                }
                k = 1;
            }
            n -= k;
        }
    }

    /** A line without its CRLF, as Latin-1 (status lines and headers are ASCII). */
    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder(64);
        for (; ; ) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException();
            }
            if (c == '\n') {
                int n = b.length();
                return n > 0 && b.charAt(n - 1) == '\r' ? b.substring(0, n - 1) : b.toString();
            }
            b.append((char) c);
        }
    }

    /** The head of a POST with {@code contentLength} body bytes to {@code target} (path and query). */
    static byte[] postHead(String hostHeader, String target, int contentLength) {
        return ("POST " + target + " HTTP/1.1\r\nHost: " + hostHeader + "\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + contentLength + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }
}
