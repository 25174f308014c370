package dev.throng.core.test;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A WebSocket client on a plain {@link Socket} that writes whatever bytes a test hands it: a handshake written by
 * hand, frames from {@link ClientFrames} (masked or not, any bits), several of them in one TCP write. It reads the
 * server's HTTP response and frames back and can assert how the server ended the connection.
 *
 * <pre>
 * try (RawWebSocketClient client = RawWebSocketClient.connect(server.port())) {
 *     client.upgrade();
 *     client.write(ClientFrames.unmaskedFrame(FIN | TEXT, ascii("hi")));
 *     client.expectCloseThenEof(1002, "UNMASKED_FRAME");
 * }
 * </pre>
 *
 * <p>Every read is bounded by the socket timeout (5 s unless {@link #timeout(Duration)} changes it). Used from one
 * thread at a time.
 */
public final class RawWebSocketClient implements AutoCloseable {
    /** The sample key of RFC 6455 §1.3 and the accept value it must produce. */
    public static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    public static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    private static final int MAX_HEADER_BLOCK = 64 * 1024;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RawWebSocketClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
        this.out = socket.getOutputStream();
    }

    /** Connects to 127.0.0.1:{@code port}; nothing is sent yet. */
    public static RawWebSocketClient connect(int port) throws IOException {
        return connect(port, 0);
    }

    /**
     * Connects with a receive buffer of {@code receiveBufferSize} bytes (0: the system default), set before connecting
     * so the TCP window is small too: a client that stops reading then stalls the server sooner.
     */
    public static RawWebSocketClient connect(int port, int receiveBufferSize) throws IOException {
        Socket socket = new Socket();
        try {
            if (receiveBufferSize > 0) {
                socket.setReceiveBufferSize(receiveBufferSize);
            }
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(5000);
            return new RawWebSocketClient(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * A valid upgrade request for {@code path} with the RFC's sample key, plus {@code extraHeaderLines} (each
     * {@code "Name: value"}, without CRLF).
     */
    public static byte[] upgradeRequest(String path, String... extraHeaderLines) {
        StringBuilder sb = new StringBuilder(256)
                .append("GET ")
                .append(path)
                .append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1\r\n")
                .append("Upgrade: websocket\r\n")
                .append("Connection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: ")
                .append(KEY)
                .append("\r\n")
                .append("Sec-WebSocket-Version: 13\r\n");
        for (String line : extraHeaderLines) {
            sb.append(line).append("\r\n");
        }
        return sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Sends a valid upgrade request for {@code /} and returns the response, failing unless it is a 101. */
    public RawHttpResponse upgrade(String... extraHeaderLines) throws IOException {
        write(upgradeRequest("/", extraHeaderLines));
        RawHttpResponse response = readHttpResponse();
        if (response.status() != 101) {
            throw new AssertionError("expected 101 Switching Protocols, got " + response);
        }
        return response;
    }

    /** Sets the read timeout of every later read. */
    public RawWebSocketClient timeout(Duration timeout) throws SocketException {
        socket.setSoTimeout((int) timeout.toMillis());
        return this;
    }

    /** Writes all {@code parts} in one TCP write (one buffer, flushed once). */
    public RawWebSocketClient write(byte[]... parts) throws IOException {
        out.write(ClientFrames.concat(parts));
        out.flush();
        return this;
    }

    /** Reads a status line and headers, and a body of Content-Length bytes unless the status is 101. */
    public RawHttpResponse readHttpResponse() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(512);
        int last4 = 0; // the last four bytes read, to find "\r\n\r\n"
        while (last4 != 0x0D0A0D0A) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed after " + head.size() + " bytes of a response head");
            }
            head.write(b);
            last4 = (last4 << 8) | b;
            if (head.size() > MAX_HEADER_BLOCK) {
                throw new IOException("response head longer than " + MAX_HEADER_BLOCK + " bytes");
            }
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP status line: " + lines[0]);
        }
        int status = Integer.parseInt(statusLine[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(
                        lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
        }
        byte[] body = new byte[0];
        String length = headers.get("content-length");
        if (status != 101 && length != null) {
            body = new byte[Integer.parseInt(length)];
            in.readFully(body);
        }
        return new RawHttpResponse(status, headers, body);
    }

    /**
     * Reads one frame.
     *
     * @throws EOFException when the server closed TCP before (or within) the frame
     * @throws SocketTimeoutException when no complete frame came within the timeout
     */
    public ServerFrame readFrame() throws IOException {
        int b0 = in.read();
        if (b0 < 0) {
            throw new EOFException("server closed TCP");
        }
        int b1 = in.readUnsignedByte();
        long length = b1 & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        if (length < 0 || length > Integer.MAX_VALUE - 8) {
            throw new IOException("frame length " + length + " not supported by this client");
        }
        boolean masked = (b1 & 0x80) != 0;
        byte[] mask = new byte[4];
        if (masked) {
            in.readFully(mask);
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        if (masked) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i & 3];
            }
        }
        return new ServerFrame(b0, masked, payload);
    }

    /** Reads frames until one that is not a ping (keepalive pings may come at any time) and returns it. */
    public ServerFrame readFrameSkippingPings() throws IOException {
        for (; ; ) {
            ServerFrame frame = readFrame();
            if (frame.opcode() != ClientFrames.PING) {
                return frame;
            }
        }
    }

    /**
     * Asserts the server's next frame (pings aside) is a close frame with {@code code} and {@code reason}, and that
     * the server then closed TCP (§7.1.1: the server closes first) with a clean FIN, before the read timeout.
     */
    public void expectCloseThenEof(int code, String reason) throws IOException {
        ServerFrame frame;
        try {
            frame = readFrameSkippingPings();
        } catch (EOFException e) {
            throw new AssertionError("expected a close frame " + code + " '" + reason + "', but TCP was closed");
        } catch (SocketTimeoutException e) {
            throw new AssertionError("expected a close frame " + code + " '" + reason + "', but nothing came within "
                    + socket.getSoTimeout() + " ms");
        }
        if (!frame.isClose()
                || frame.closeCode() != code
                || !frame.closeReason().equals(reason)) {
            throw new AssertionError("expected a close frame " + code + " '" + reason + "', got " + frame);
        }
        expectEof();
    }

    /** Asserts the next read finds the end of the stream (the server closed TCP) before the read timeout. */
    public void expectEof() throws IOException {
        int b;
        try {
            b = in.read();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("server did not close TCP within " + socket.getSoTimeout() + " ms");
        }
        if (b >= 0) {
            throw new AssertionError(
                    "expected the end of the stream, got more bytes (first 0x" + Integer.toHexString(b) + ")");
        }
    }

    /**
     * Reads and discards everything until the server closes TCP (a FIN, or a reset), and returns how long that took.
     *
     * @throws AssertionError when the connection is still open after {@code max}
     */
    public Duration awaitClosed(Duration max) throws IOException {
        long start = System.nanoTime();
        long deadline = start + max.toNanos();
        byte[] sink = new byte[64 * 1024];
        int previousTimeout = socket.getSoTimeout();
        try {
            for (; ; ) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("server did not close TCP within " + max.toMillis() + " ms");
                }
                socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
                try {
                    if (in.read(sink) < 0) {
                        return Duration.ofNanos(System.nanoTime() - start);
                    }
                } catch (SocketTimeoutException e) {
                    // loop to the deadline check
                } catch (SocketException e) {
                    return Duration.ofNanos(System.nanoTime() - start); // reset by the server: closed, too
                }
            }
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(previousTimeout);
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
