package dev.throng.core.handshake;

/**
 * The permessage-deflate parameters both sides agreed on (RFC 7692 §7).
 *
 * <p>Throng always answers with {@code server_no_context_takeover; client_no_context_takeover} (§7.1.1.1 and
 * §7.1.1.2 let a server add both), so every message is compressed and inflated on its own and one zlib context per
 * event loop serves all connections: an idle connection holds no zlib memory.
 *
 * @param serverMaxWindowBits the window the client's inflater has (8-15; 15 when the client set no limit). The
 *     server honours a smaller window by compressing only messages no longer than {@code 1 << serverMaxWindowBits}
 *     bytes, whose back-references cannot reach further; longer messages go uncompressed (RSV1 clear), which §6
 *     allows for any message.
 * @param responseHeader the Sec-WebSocket-Extensions value to answer with
 */
public record DeflateAgreement(int serverMaxWindowBits, String responseHeader) {}
