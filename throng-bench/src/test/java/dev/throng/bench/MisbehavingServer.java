package dev.throng.bench;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A WebSocket server that misbehaves on purpose, by the order in which it accepts connections (k mod 5):
 * 0 resets at once (RST), 1 answers 503, 2 never answers the handshake, 3 upgrades then drops the connection
 * (FIN, no close frame) after {@link #DROP_AFTER_MILLIS}, 4 upgrades and behaves (answers the close handshake).
 * Plain blocking sockets, one thread per connection: the test opens a few dozen.
 */
final class MisbehavingServer implements AutoCloseable {

    static final int KINDS = 5;
    static final long DROP_AFTER_MILLIS = 300;

    private final ServerSocket listener;
    private final AtomicInteger accepted = new AtomicInteger();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;

    MisbehavingServer() throws IOException {
        listener = new ServerSocket(0, 200, InetAddress.getByName("127.0.0.1"));
        acceptor = new Thread(this::acceptLoop, "misbehaving-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Connections accepted and not yet closed by either side. */
    int openConnections() {
        return open.size();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket s = listener.accept();
                int kind = accepted.getAndIncrement() % KINDS;
                open.add(s);
                Thread t = new Thread(() -> serve(s, kind), "misbehaving-" + kind);
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket s, int kind) {
        try (s) {
            if (kind == 0) {
                s.setSoLinger(true, 0); // close() now sends RST
                return;
            }
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            String head = readHead(in);
            if (head == null) {
                return;
            }
            switch (kind) {
                case 1:
                    out.write("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    return;
                case 2:
                    while (in.read() >= 0) { // say nothing until the client gives up
                    }
                    return;
                default:
                    out.write(upgrade(head).getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    if (kind == 3) {
                        Thread.sleep(DROP_AFTER_MILLIS);
                        return; // FIN without a close frame
                    }
                    answerClose(new DataInputStream(in), out);
            }
        } catch (IOException | InterruptedException e) {
            // the client went away
        } finally {
            open.remove(s);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                    ? state + 1
                    : b == '\r' ? 1 : 0;
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    private static String upgrade(String head) throws IOException {
        String key = null;
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:")) {
                key = line.substring(line.indexOf(':') + 1).trim();
            }
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1")
                    .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
            return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + Base64.getEncoder().encodeToString(digest) + "\r\n\r\n";
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IOException(e);
        }
    }

    /** Reads (masked) client frames until a close, answers it with a close frame and returns (closing TCP). */
    private static void answerClose(DataInputStream in, OutputStream out) throws IOException {
        for (; ; ) {
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            long length = b1 & 0x7F;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] mask = new byte[4];
            in.readFully(mask);
            byte[] payload = new byte[(int) length];
            in.readFully(payload);
            if ((b0 & 0x0F) == 0x8) {
                int code = length >= 2 ? ((payload[0] ^ mask[0]) & 0xFF) << 8 | ((payload[1] ^ mask[1]) & 0xFF) : 1000;
                out.write(new byte[] {(byte) 0x88, 2, (byte) (code >> 8), (byte) code});
                out.flush();
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
