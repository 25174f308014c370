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
     * @param attachment the application's object for the connection (its upgrade hook's), or {@code null}
     */
    record Accept(String accept, String subprotocol, DeflateAgreement deflate, String path, Object attachment)
            implements UpgradeOutcome {

        public Accept(String accept, String subprotocol, DeflateAgreement deflate, String path) {
            this(accept, subprotocol, deflate, path, null);
        }

        /** The same upgrade with the application's {@code attachment}. */
        public Accept withAttachment(Object attachment) {
            return new Accept(accept, subprotocol, deflate, path, attachment);
        }
    }

    /**
     * Answer with a plain HTTP reply and close.
     *
     * @param headers extra response headers (e.g. {@code Sec-WebSocket-Version: 13} with 426)
     * @param status the status sent: the reason's, unless the application chose one ({@link
     *     HttpReplyReason#REFUSED_BY_HANDLER})
     * @param message the body's line: the reason's, unless the application chose one
     */
    record Reply(HttpReplyReason reason, Map<String, String> headers, int status, String message)
            implements UpgradeOutcome {

        public Reply(HttpReplyReason reason) {
            this(reason, Map.of());
        }

        public Reply(HttpReplyReason reason, Map<String, String> headers) {
            this(reason, headers, reason.status(), reason.message());
        }
    }
}
