package dev.throng.core.handshake;

import java.util.Map;

/** What {@link UpgradeValidator} decided about a request: upgrade it, or answer it with plain HTTP. */
public sealed interface UpgradeOutcome {

    /**
     * Upgrade: write {@code 101 Switching Protocols} with these values.
     *
     * @param accept the Sec-WebSocket-Accept value
     * @param subprotocol the chosen subprotocol, or {@code null}
     * @param deflate the permessage-deflate agreement, or {@code null} when not negotiated
     * @param path the request target (path and query)
     */
    record Accept(String accept, String subprotocol, DeflateAgreement deflate, String path) implements UpgradeOutcome {
    }

    /**
     * Answer with a plain HTTP reply and, unless healthy, close.
     *
     * @param headers extra response headers (e.g. {@code Sec-WebSocket-Version: 13} with 426)
     */
    record Reply(HttpReplyReason reason, Map<String, String> headers) implements UpgradeOutcome {
        public Reply(HttpReplyReason reason) {
            this(reason, Map.of());
        }
    }
}
