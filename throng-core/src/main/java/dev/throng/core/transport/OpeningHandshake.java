package dev.throng.core.transport;

import dev.throng.core.ServerConfig;
import dev.throng.core.handshake.RequestHead;
import dev.throng.core.handshake.UpgradeOutcome;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.net.SocketAddress;

/**
 * The one step both transports take with the bytes a connection sent before it is upgraded (issue #16 item 5: the
 * handshake was written twice, once per transport): parse the request head ({@link RequestHead}), then either wait for
 * more, answer with a plain reply, hand the connection to the application's {@link dev.throng.core.HttpService}, or
 * upgrade it and pass on what the client sent behind its request. The caller acts on the {@link Step}; this class
 * never touches a socket.
 */
final class OpeningHandshake {

    /** What to do next. */
    sealed interface Step {}

    /** The head is incomplete: keep {@code held} (ownership passes) and read more. */
    record NeedMore(ByteBuf held) implements Step {}

    /** Answer with {@code reply} (headers only for HEAD) and close; the bytes are released. */
    record Reply(UpgradeOutcome.Reply reply, boolean head) implements Step {}

    /** Hand the connection to the HTTP service with {@code raw}, every byte read so far (ownership passes). */
    record HandOver(ByteBuf raw) implements Step {}

    /**
     * Upgrade with {@code accept}; {@code rest} (ownership passes; possibly empty) holds what followed the request
     * (WebSocket frames sent right behind it).
     */
    record Upgrade(UpgradeOutcome.Accept accept, ByteBuf rest) implements Step {}

    private OpeningHandshake() {}

    /**
     * Reads the request in {@code buf} (ownership passes) from {@code peer}: the parse, then {@link ServerContext#judge}
     * (validation, admission, the application's upgrade hook), or the hand-over of a request the HTTP service claims.
     *
     * @throws RuntimeException from the parser on a bug; {@code buf} is released first
     */
    static Step read(ServerContext server, ByteBuf buf, SocketAddress peer) {
        int start = buf.readerIndex();
        HttpRequest request;
        try {
            ServerConfig.Handshake limits = server.config.handshake();
            request = RequestHead.parse(buf, limits.maxInitialLineLength(), limits.maxHeaderSize());
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        }
        if (request == null) {
            if (buf.isReadable()) {
                return new NeedMore(buf); // an incomplete head, bounded by the limits RequestHead enforces
            }
            buf.release();
            return new NeedMore(null);
        }
        if (server.handsOver(request)) {
            buf.readerIndex(start);
            return new HandOver(buf);
        }
        UpgradeOutcome outcome = server.judge(request, peer);
        if (outcome instanceof UpgradeOutcome.Reply) {
            buf.release();
            return new Reply((UpgradeOutcome.Reply) outcome, HttpMethod.HEAD.equals(request.method()));
        }
        return new Upgrade((UpgradeOutcome.Accept) outcome, buf);
    }
}
