package dev.throng.core;

import io.netty.buffer.ByteBuf;

/** Sends every message back as it came: the default behaviour of {@code throng serve}. */
public final class EchoHandler implements WebSocketHandler {
    @Override
    public void onText(WebSocketConnection connection, String text) {
        connection.sendText(text);
    }

    @Override
    public void onBinary(WebSocketConnection connection, ByteBuf data) {
        connection.sendBinary(data.retain());
    }
}
