package dev.throng.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Many minimal WebSocket clients on one selector thread, for tests that need thousands of real connections:
 * handshake by hand, then record every close frame the server sends (code and arrival time) and answer it.
 */
final class RawClients implements AutoCloseable {
    private static final byte[] REQUEST = ("GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);

    /** What one client saw. */
    static final class Client {
        final SocketChannel channel;
        final ByteBuffer in = ByteBuffer.allocate(256);
        int closeCode = -1;
        long closeAtNanos;
        boolean tcpClosed;

        Client(SocketChannel channel) {
            this.channel = channel;
        }
    }

    private final Selector selector;
    final List<Client> clients = new ArrayList<>();

    private RawClients() throws IOException {
        selector = Selector.open();
    }

    /** Opens {@code n} connections to 127.0.0.1:{@code port}, each upgraded before the next. */
    static RawClients open(int port, int n) throws IOException {
        RawClients rc = new RawClients();
        for (int i = 0; i < n; i++) {
            SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
            ch.write(ByteBuffer.wrap(REQUEST));
            ByteBuffer response = ByteBuffer.allocate(1024);
            while (!new String(response.array(), 0, response.position(), StandardCharsets.US_ASCII)
                    .contains("\r\n\r\n")) {
                if (ch.read(response) < 0) {
                    throw new IOException("closed during handshake");
                }
            }
            String head = new String(response.array(), 0, response.position(), StandardCharsets.US_ASCII);
            if (!head.startsWith("HTTP/1.1 101")) {
                throw new IOException(
                        "not upgraded: " + head.lines().findFirst().orElse(""));
            }
            ch.configureBlocking(false);
            Client c = new Client(ch);
            ch.register(rc.selector, SelectionKey.OP_READ, c);
            rc.clients.add(c);
        }
        return rc;
    }

    /** Reads until every client saw its TCP connection close, or {@code timeout} passes. */
    void awaitAllClosed(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long open = clients.size();
        while (open > 0 && System.nanoTime() < deadline) {
            selector.select(100);
            for (SelectionKey key : selector.selectedKeys()) {
                Client c = (Client) key.attachment();
                if (read(c)) {
                    key.cancel();
                    open--;
                }
            }
            selector.selectedKeys().clear();
        }
    }

    /** Reads what is there; answers close and ping frames. Returns whether TCP is now closed. */
    private static boolean read(Client c) throws IOException {
        int n;
        try {
            n = c.channel.read(c.in);
        } catch (IOException e) {
            n = -1;
        }
        if (n < 0) {
            c.tcpClosed = true;
            c.channel.close();
            return true;
        }
        c.in.flip();
        while (c.in.remaining() >= 2) {
            int b0 = c.in.get(c.in.position()) & 0xFF;
            int len = c.in.get(c.in.position() + 1) & 0x7F; // control frames only carry <= 125 bytes here
            if (len > 125 || c.in.remaining() < 2 + len) {
                break;
            }
            c.in.position(c.in.position() + 2);
            byte[] payload = new byte[len];
            c.in.get(payload);
            int opcode = b0 & 0x0F;
            if (opcode == 0x8) {
                c.closeCode = len >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
                c.closeAtNanos = System.nanoTime();
                c.channel.write(ByteBuffer.wrap(maskedFrame(0x8, payload)));
            } else if (opcode == 0x9) {
                c.channel.write(ByteBuffer.wrap(maskedFrame(0xA, payload)));
            }
        }
        c.in.compact();
        return false;
    }

    /** A client frame (FIN, masked with a zero key, which §5.3 permits) carrying {@code payload}. */
    static byte[] maskedFrame(int opcode, byte[] payload) {
        byte[] frame = new byte[6 + payload.length];
        frame[0] = (byte) (0x80 | opcode);
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(payload, 0, frame, 6, payload.length);
        return frame;
    }

    @Override
    public void close() throws IOException {
        for (Client c : clients) {
            c.channel.close();
        }
        selector.close();
    }
}
