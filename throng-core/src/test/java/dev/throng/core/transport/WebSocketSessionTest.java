package dev.throng.core.transport;

import static dev.throng.core.test.ClientFrames.BINARY;
import static dev.throng.core.test.ClientFrames.CLOSE;
import static dev.throng.core.test.ClientFrames.CONTINUATION;
import static dev.throng.core.test.ClientFrames.FIN;
import static dev.throng.core.test.ClientFrames.PING;
import static dev.throng.core.test.ClientFrames.PONG;
import static dev.throng.core.test.ClientFrames.RSV1;
import static dev.throng.core.test.ClientFrames.TEXT;
import static dev.throng.core.test.ClientFrames.bytes;
import static dev.throng.core.test.ClientFrames.concat;
import static dev.throng.core.test.ClientFrames.frame;
import static dev.throng.core.test.ClientFrames.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.throng.core.PreparedMessage;
import dev.throng.core.ServerConfig;
import dev.throng.core.SlowConsumerException;
import dev.throng.core.WebSocketConnection;
import dev.throng.core.handshake.DeflateAgreement;
import dev.throng.core.test.ClientFrames;
import dev.throng.core.test.RecordingHandler;
import dev.throng.core.test.RecordingHandler.Closed;
import dev.throng.core.test.ServerFrame;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link WebSocketSession}: what a connection does above its socket (fragments, the closing handshake, backpressure,
 * the memory budget, keepalive), on an in-memory wire ({@link FakeSession}) instead of a real socket. Named by
 * Autobahn case where one matches. Every test ends by asserting that each buffer was released and the memory budget
 * is back to zero ({@link FakeSession#finish()}). The same rules on real sockets: {@code dev.throng.core.it}.
 */
class WebSocketSessionTest {
    private static final ServerConfig DEFAULTS = ServerConfig.builder().build();

    /** Echoes like {@link RecordingHandler} and records the messages it was given. */
    static class Handler extends RecordingHandler {
        final List<String> texts = new ArrayList<>();
        final List<byte[]> binaries = new ArrayList<>();
        WebSocketConnection connection;

        @Override
        public void onOpen(WebSocketConnection connection) {
            this.connection = connection;
            super.onOpen(connection);
        }

        @Override
        public void onText(WebSocketConnection connection, String text) {
            texts.add(text);
            super.onText(connection, text);
        }

        @Override
        public void onBinary(WebSocketConnection connection, ByteBuf data) {
            byte[] copy = new byte[data.readableBytes()];
            data.getBytes(data.readerIndex(), copy);
            binaries.add(copy);
            super.onBinary(connection, data);
        }
    }

    private final Handler handler = new Handler();
    private FakeSession session;

    private FakeSession open(ServerConfig config) {
        session = FakeSession.open(config, handler);
        return session;
    }

    private FakeSession open() {
        return open(DEFAULTS);
    }

    @AfterEach
    void everyBufferIsReleasedAndTheBudgetIsBackToZero() {
        if (session != null) {
            session.finish();
        }
    }

    private static byte[] text(String s) {
        return frame(FIN | TEXT, utf8(s));
    }

    /** The one close frame the client receives next, with {@code code}; and TCP closed after it. */
    private void assertFailedWith(int code, String id) {
        ServerFrame close = session.nextFrame();
        assertThat(close.isClose()).as("%s is a close frame", close).isTrue();
        assertThat(close.closeCode()).isEqualTo(code);
        assertThat(close.closeReason()).isEqualTo(id);
        assertThat(session.tcpClosed())
                .as("TCP closed once the close frame was written")
                .isTrue();
        assertThat(handler.closed.poll()).isEqualTo(new Closed(code, id));
    }

    private static String repeat(char c, int n) {
        return String.valueOf(c).repeat(n);
    }

    // ---- fragmentation (RFC 6455 §5.4) -----------------------------------------------------------------------

    @Test
    void case5_3_reassemblesATextMessageSentInTwoFragments() {
        open().receive(frame(TEXT, utf8("frag")), frame(FIN | CONTINUATION, utf8("ment")));

        assertThat(handler.texts).containsExactly("fragment");
        assertThat(session.nextFrame().text()).isEqualTo("fragment");
    }

    @Test
    void case5_6_answersAPingBetweenFragmentsBeforeTheMessageEnds() {
        open().receive(concat(
                frame(TEXT, utf8("fragment1")),
                frame(FIN | PING, utf8("ping payload")),
                frame(FIN | CONTINUATION, utf8("fragment2"))));

        ServerFrame pong = session.nextFrame();
        assertThat(pong.opcode()).isEqualTo(PONG);
        assertThat(pong.text()).isEqualTo("ping payload");
        assertThat(session.nextFrame().text()).isEqualTo("fragment1fragment2");
        assertThat(handler.texts).containsExactly("fragment1fragment2");
    }

    @Test
    void case5_1_failsAFragmentedPingWith1002() {
        open().receive(frame(PING, utf8("frag")), frame(FIN | CONTINUATION, utf8("ment")));

        assertFailedWith(1002, "FRAGMENTED_CONTROL_FRAME");
    }

    @Test
    void case5_9_failsAContinuationWithoutAStartWith1002() {
        open().receive(concat(frame(FIN | CONTINUATION, utf8("nothing to continue")), text("never seen")));

        assertFailedWith(1002, "CONTINUATION_WITHOUT_START");
        assertThat(handler.texts).isEmpty();
    }

    @Test
    void case5_15_failsAContinuationAfterTheMessageEndedWith1002() {
        open().receive(concat(
                frame(TEXT, utf8("frag")),
                frame(FIN | CONTINUATION, utf8("ment")),
                frame(CONTINUATION, utf8("nothing to continue")),
                text("never seen")));

        assertThat(session.nextFrame().text())
                .as("the complete message is answered first")
                .isEqualTo("fragment");
        assertFailedWith(1002, "CONTINUATION_WITHOUT_START");
        assertThat(handler.texts).containsExactly("fragment");
    }

    @Test
    void case5_18_failsANewMessageInsideAFragmentedOneWith1002() {
        open().receive(concat(frame(TEXT, utf8("frag")), frame(FIN | TEXT, utf8("ment"))));

        assertFailedWith(1002, "NEW_MESSAGE_DURING_FRAGMENTED");
        assertThat(handler.texts).isEmpty();
    }

    @Test
    void case6_2_3_acceptsValidUtf8SplitInsideCodePointsAcrossFragments() {
        byte[] message = utf8("Hello-µ@ßöäüàá-UTF-8!!");
        List<byte[]> reads = new ArrayList<>();
        for (int i = 0; i < message.length; i++) {
            int opcode = i == 0 ? TEXT : CONTINUATION;
            reads.add(frame((i == message.length - 1 ? FIN : 0) | opcode, new byte[] {message[i]}));
        }
        open().receive(reads.toArray(new byte[0][]));

        assertThat(handler.texts).containsExactly("Hello-µ@ßöäüàá-UTF-8!!");
    }

    @Test
    void case6_4_1_failsFastOnAnInvalidMiddleFragmentWith1007() {
        open().receive(frame(TEXT, utf8("κόσμε")));
        session.receive(frame(CONTINUATION, bytes(0xF4, 0x90, 0x80, 0x80))); // U+110000: out of range

        assertFailedWith(1007, "INVALID_UTF8");
        session.receive(frame(FIN | CONTINUATION, utf8("edited")));
        assertThat(handler.texts).isEmpty();
    }

    @Test
    void failsATextMessageThatEndsInsideACodePointWith1007() {
        open().receive(frame(TEXT, bytes(0xE2, 0x82)), frame(FIN | CONTINUATION, new byte[0])); // € cut short

        assertFailedWith(1007, "INVALID_UTF8");
        assertThat(handler.texts).isEmpty();
    }

    @Test
    void holdsNothingBetweenMessagesOnceAFragmentedMessageIsDelivered() {
        open().receive(frame(BINARY, new byte[300]), frame(CONTINUATION, new byte[300]));
        assertThat(session.pending)
                .as("fragments are held while the message is in progress")
                .isNotNull();
        assertThat(session.server.budget.used())
                .as("and counted in the memory budget")
                .isPositive();

        session.receive(frame(FIN | CONTINUATION, new byte[300]));

        assertThat(handler.binaries).hasSize(1);
        assertThat(handler.binaries.get(0)).hasSize(900);
        assertThat(session.pending)
                .as("an idle connection holds no pending state")
                .isNull();
        assertThat(session.server.budget.used()).isZero();
    }

    // ---- permessage-deflate (RFC 7692) -----------------------------------------------------------------------

    @Test
    void inflatesACompressedTextMessage() {
        session = FakeSession.open(DEFAULTS, handler, new DeflateAgreement(15, "permessage-deflate"));
        String text = repeat('z', 5000);

        session.receive(frame(FIN | RSV1 | TEXT, ClientFrames.deflate(utf8(text))));

        assertThat(handler.texts).containsExactly(text);
    }

    @Test
    void failsACompressedTextMessageThatInflatesToInvalidUtf8With1007() {
        session = FakeSession.open(DEFAULTS, handler, new DeflateAgreement(15, "permessage-deflate"));

        session.receive(frame(FIN | RSV1 | TEXT, ClientFrames.deflate(bytes('o', 'k', 0xC0, 0xAF))));

        assertFailedWith(1007, "INVALID_UTF8");
        assertThat(handler.texts).isEmpty();
    }

    @Test
    void compressesOnlyMessagesTheClientsWindowCovers() {
        session = FakeSession.open(DEFAULTS, handler, new DeflateAgreement(9, "permessage-deflate"));
        String fits = repeat('a', 1 << 9);
        String tooLong = repeat('b', (1 << 9) + 1);

        handler.connection.sendText(fits);
        handler.connection.sendText(tooLong);

        ServerFrame compressed = session.nextFrame();
        assertThat(compressed.rsv())
                .as("a message within the 512-byte window is compressed")
                .isEqualTo(RSV1);
        assertThat(new String(ClientFrames.inflate(compressed.payload()))).isEqualTo(fits);
        ServerFrame plain = session.nextFrame();
        assertThat(plain.rsv())
                .as("a longer one goes uncompressed (RFC 7692 §6)")
                .isZero();
        assertThat(plain.text()).isEqualTo(tooLong);
    }

    // ---- the closing handshake (§5.5.1, §7) --------------------------------------------------------------------

    @Test
    void case7_3_1_answersAnEmptyCloseWithAnEmptyClose() {
        open().receive(frame(FIN | CLOSE, new byte[0]));

        ServerFrame close = session.nextFrame();
        assertThat(close.isClose()).isTrue();
        assertThat(close.payload())
                .as("1005 is never sent on the wire (§7.4.1)")
                .isEmpty();
        assertThat(session.tcpClosed()).isTrue();
        assertThat(handler.closed.poll()).isEqualTo(new Closed(1005, ""));
    }

    @Test
    void case7_3_2_failsACloseWithAOneBytePayloadWith1002() {
        open().receive(frame(FIN | CLOSE, bytes(0x03)));

        assertFailedWith(1002, "CLOSE_PAYLOAD_TOO_SHORT");
    }

    @Test
    void case7_3_4_echoesTheClientsCodeAndTellsTheHandlerItsReason() {
        open().receive(ClientFrames.close(1000, "done"));

        ServerFrame close = session.nextFrame();
        assertThat(close.closeCode()).isEqualTo(1000);
        assertThat(session.tcpClosed())
                .as("§7.1.1: the server closes TCP first, once its answer is written")
                .isTrue();
        assertThat(handler.closed.poll()).isEqualTo(new Closed(1000, "done"));
        assertThat(session.inWheel())
                .as("a closed connection leaves its loop's registry")
                .isFalse();
        assertThat(session.server.counters.open.sum()).isZero();
    }

    @Test
    void case7_3_5_acceptsACloseReasonOf123Bytes() {
        open().receive(ClientFrames.close(1000, repeat('r', 123)));

        assertThat(session.nextFrame().closeCode()).isEqualTo(1000);
        assertThat(handler.closed.poll()).isEqualTo(new Closed(1000, repeat('r', 123)));
    }

    @Test
    void case7_3_6_failsACloseReasonOf124BytesWith1002() {
        open().receive(ClientFrames.close(1000, repeat('r', 124)));

        assertFailedWith(1002, "CONTROL_FRAME_TOO_LONG");
    }

    @Test
    void case7_5_1_failsACloseReasonThatIsNotUtf8With1007() {
        open().receive(frame(
                FIN | CLOSE,
                bytes(
                        0x03, 0xE8, 0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCF, 0x83, 0xCE, 0xBC, 0xCE, 0xB5, 0xED, 0xA0, 0x80,
                        0x65, 0x64, 0x69, 0x74, 0x65, 0x64)));

        assertFailedWith(1007, "INVALID_UTF8");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999})
    void case7_7_echoesAValidCloseCode(int code) {
        open().receive(ClientFrames.close(code, ""));

        assertThat(session.nextFrame().closeCode()).isEqualTo(code);
        assertThat(handler.closed.poll()).isEqualTo(new Closed(code, ""));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999, 5000, 65535})
    void case7_9_failsAnInvalidCloseCodeWith1002(int code) {
        open().receive(ClientFrames.close(code, ""));

        assertFailedWith(1002, "INVALID_CLOSE_CODE");
    }

    @Test
    void case7_1_2_answersOnlyTheFirstOfTwoCloses() {
        open().peerStopsReading(); // the answer stays queued, so TCP stays open for the second close
        session.receive(ClientFrames.close(1000, "first"));
        session.receive(ClientFrames.close(1001, "second"));
        session.peerReads();

        List<ServerFrame> frames = session.frames();
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0).closeCode()).isEqualTo(1000);
        assertThat(handler.closed.poll()).isEqualTo(new Closed(1000, "first"));
    }

    @Test
    void case7_1_3_answersNoPingThatFollowsTheClientsClose() {
        open().peerStopsReading();
        session.receive(concat(ClientFrames.close(1000, ""), frame(FIN | PING, utf8("same read"))));
        session.receive(frame(FIN | PING, utf8("later read")));
        session.peerReads();

        assertThat(session.frames()).extracting(ServerFrame::opcode).containsExactly(CLOSE);
    }

    @Test
    void case7_1_4_ignoresTextThatFollowsTheClientsClose() {
        open().peerStopsReading();
        session.receive(concat(ClientFrames.close(1000, ""), text("same read")));
        session.receive(text("later read"));
        session.peerReads();

        assertThat(session.frames()).extracting(ServerFrame::opcode).containsExactly(CLOSE);
        assertThat(handler.texts).isEmpty();
    }

    @Test
    void case7_1_5_dropsAMessageLeftUnfinishedByTheClientsClose() {
        open().receive(concat(
                frame(TEXT, utf8("fragment1")),
                ClientFrames.close(1000, ""),
                frame(FIN | CONTINUATION, utf8("fragment2"))));

        assertThat(session.frames()).extracting(ServerFrame::opcode).containsExactly(CLOSE);
        assertThat(handler.texts).isEmpty();
    }

    @Test
    void closesTcpAsSoonAsTheClientAnswersTheServersClose() {
        open();
        handler.connection.close(4000, "bye");

        ServerFrame close = session.nextFrame();
        assertThat(close.closeCode()).isEqualTo(4000);
        assertThat(close.closeReason()).isEqualTo("bye");
        assertThat(session.tcpClosed()).as("waits for the client's answer").isFalse();
        assertThat(handler.connection.isOpen()).as("closing is not open").isFalse();

        session.receive(ClientFrames.close(4000, "ok"));

        assertThat(session.tcpClosed()).isTrue();
        assertThat(handler.closed.poll()).isEqualTo(new Closed(4000, "ok"));
    }

    @Test
    void closesTcpAfterTheCloseTimeoutWhenTheClientNeverAnswers() {
        open();
        handler.connection.close(4000, "bye");

        session.advance(DEFAULTS.keepalive().closeTimeout().minusMillis(1));
        assertThat(session.tcpClosed()).isFalse();
        session.advance(Duration.ofMillis(2));

        assertThat(session.tcpClosed()).isTrue();
        assertThat(handler.closed.poll()).isEqualTo(new Closed(4000, "bye"));
    }

    @Test
    void closesTcpAfterTheCloseTimeoutWhenAFailureCloseIsNeverRead() {
        open().peerStopsReading();
        session.receive(frame(FIN | CONTINUATION, utf8("nothing to continue")));
        assertThat(session.tcpClosed())
                .as("the close frame waits to be written")
                .isFalse();

        session.advance(DEFAULTS.keepalive().closeTimeout());

        assertThat(session.tcpClosed()).isTrue();
        assertThat(handler.closed.poll()).isEqualTo(new Closed(1002, "CONTINUATION_WITHOUT_START"));
    }

    @Test
    void discardsDataWhileItsOwnCloseAwaitsTheAnswer() {
        open();
        handler.connection.close(1000, "");
        session.nextFrame();

        session.receive(concat(text("late"), frame(FIN | PING, utf8("late"))));

        assertThat(handler.texts)
                .as("§5.5.1: data after a close was sent may be discarded")
                .isEmpty();
        assertThat(session.frames()).as("no echo, no pong").isEmpty();
    }

    @Test
    void refusesSendsOnceClosingBegan() {
        open();
        handler.connection.close(1000, "");

        Future<Void> send = handler.connection.sendText("too late");

        assertThat(send.cause()).isInstanceOf(ClosedChannelException.class);
        assertThat(session.frames()).extracting(ServerFrame::opcode).containsExactly(CLOSE);
    }

    @Test
    void sendsOneCloseFrameHoweverOftenCloseIsCalled() {
        open();
        handler.connection.close(1000, "once");
        handler.connection.close(1001, "twice");

        assertThat(session.frames()).extracting(ServerFrame::closeCode).containsExactly(1000);
    }

    @Test
    void refusesToSendACloseCodeThatNeverGoesOnTheWire() {
        open();

        assertThatThrownBy(() -> handler.connection.close(1005, "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> handler.connection.close(1006, "")).isInstanceOf(IllegalArgumentException.class);
        assertThat(session.frames()).isEmpty();
    }

    @Test
    void closesWith1011AndTellsTheHandlerWhenTheHandlerThrows() {
        Handler throwing = new Handler() {
            @Override
            public void onText(WebSocketConnection connection, String text) {
                throw new IllegalStateException("boom");
            }
        };
        session = FakeSession.open(DEFAULTS, throwing);

        session.receive(text("hi"));

        assertThat(throwing.errors.poll()).hasMessage("boom");
        ServerFrame close = session.nextFrame();
        assertThat(close.closeCode()).isEqualTo(1011);
        assertThat(close.closeReason()).isEqualTo("HANDLER_ERROR");
    }

    // ---- backpressure (issue #15) ------------------------------------------------------------------------------

    /** maxOutboundBytes at its least (the high-water mark's default, 64 KiB), so a few echoes reach it. */
    private static final ServerConfig SMALL_OUTBOUND =
            ServerConfig.builder().maxOutboundBytes(64 * 1024).build();

    @Test
    void stopsReadingWhileThePeerLeavesMaxOutboundBytesUnreadAndResumesWhenItReads() {
        open(SMALL_OUTBOUND).peerStopsReading();
        byte[][] messages = new byte[12][];
        for (int i = 0; i < messages.length; i++) {
            messages[i] = text(i + repeat('x', 8 * 1024));
        }

        session.receive(concat(messages));

        assertThat(handler.texts)
                .as("8 echoes of 8 KiB reach 64 KiB: the rest of the read waits")
                .hasSize(8);
        assertThat(session.readingPaused()).isTrue();
        assertThat(session.wantsMore())
                .as("the parser is told to stop (FrameSink.wantsMore)")
                .isFalse();
        session.receive(text("after the pause"));
        assertThat(handler.texts).hasSize(8);

        session.peerReads();

        assertThat(session.readingPaused()).isFalse();
        assertThat(handler.texts).hasSize(13);
        List<ServerFrame> echoes = session.frames();
        assertThat(echoes).hasSize(13);
        for (int i = 0; i < 12; i++) {
            assertThat(echoes.get(i).text()).as("echo %d in order", i).startsWith(i + "x");
        }
        assertThat(echoes.get(12).text()).isEqualTo("after the pause");
    }

    @Test
    void resumesReadingOnlyOnceLessThanHalfTheLimitIsQueued() {
        open(SMALL_OUTBOUND).peerStopsReading();
        session.receive(text(repeat('x', 70 * 1024)), text("waits"));
        assertThat(session.readingPaused()).isTrue();

        session.peerTakes(30 * 1024); // about 40 KiB still queued: above half of 64 KiB
        assertThat(session.readingPaused()).isTrue();
        session.peerTakes(10 * 1024); // about 30 KiB: below half

        assertThat(session.readingPaused()).isFalse();
        assertThat(handler.texts).hasSize(2);
    }

    @Test
    void closesASlowConsumerWith1013WhenASendFindsTheOutboundLimitReached() {
        List<Future<Void>> sends = new ArrayList<>();
        Handler flooding = new Handler() {
            @Override
            public void onText(WebSocketConnection connection, String text) {
                for (int i = 0; i < 8; i++) {
                    sends.add(connection.sendText(i + repeat('x', 16 * 1024)));
                }
            }
        };
        session = FakeSession.open(SMALL_OUTBOUND, flooding);
        session.peerStopsReading();

        session.receive(text("flood"));

        assertThat(sends.subList(0, 4)).allMatch(f -> !f.isDone() || f.isSuccess());
        assertThat(sends.get(4).cause()).as("the fifth finds 64 KiB queued").isInstanceOf(SlowConsumerException.class);
        assertThat(sends.subList(5, 8)).allMatch(f -> f.cause() instanceof ClosedChannelException);
        session.peerReads();
        List<ServerFrame> frames = session.frames();
        assertThat(frames).hasSize(5);
        assertThat(frames.subList(0, 4)).allMatch(f -> f.opcode() == TEXT);
        assertThat(frames.get(4).closeCode()).isEqualTo(1013);
        assertThat(frames.get(4).closeReason()).isEqualTo("SLOW_CONSUMER");
        assertThat(session.tcpClosed()).isTrue();
        assertThat(flooding.closed.poll()).isEqualTo(new Closed(1013, "SLOW_CONSUMER"));
    }

    @Test
    void offerReturnsFalseAtTheOutboundLimitAndLeavesTheConnectionOpen() {
        open(SMALL_OUTBOUND).peerStopsReading();
        PreparedMessage message = PreparedMessage.text(repeat('p', 16 * 1024));
        try {
            int offered = 0;
            while (handler.connection.offer(message)) {
                offered++;
                assertThat(offered).as("offer stops at the limit").isLessThan(100);
            }

            assertThat(offered).isEqualTo(4);
            assertThat(handler.connection.isOpen()).isTrue();
            session.peerReads();
            assertThat(session.frames()).hasSize(4);
            assertThat(message.refCnt())
                    .as("the connection let go of the shared frame once written")
                    .isEqualTo(1);
        } finally {
            message.release();
        }
    }

    @Test
    void offerRefusesCallersOffTheEventLoop() throws Exception {
        open();
        PreparedMessage message = PreparedMessage.text("hi");
        Throwable[] thrown = new Throwable[1];
        Thread other = new Thread(() -> {
            try {
                handler.connection.offer(message);
            } catch (Throwable t) {
                thrown[0] = t;
            }
        });
        other.start();
        other.join(TimeUnit.SECONDS.toMillis(5));
        message.release();

        assertThat(thrown[0]).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void isWritableTurnsFalseAtTheHighWaterMark() {
        open().peerStopsReading();
        handler.connection.sendText(repeat('x', 60 * 1024));
        assertThat(handler.connection.isWritable()).isTrue();

        handler.connection.sendText(repeat('x', 8 * 1024));

        assertThat(handler.connection.isWritable()).isFalse();
        session.peerReads();
        assertThat(handler.connection.isWritable()).isTrue();
    }

    // ---- the memory budget (issue #15) -------------------------------------------------------------------------

    private static final ServerConfig SMALL_BUDGET =
            ServerConfig.builder().memoryBudget(100_000).build();

    /** Opens with a 100 kB budget of which others hold 50 kB, then starts a 60 kB frame (4 KiB of it arrive). */
    private byte[] startALargeFrameWhileMemoryIsShort() {
        open(SMALL_BUDGET).server.budget.charge(50_000);
        byte[] payload = new byte[60_000];
        Arrays.fill(payload, (byte) 7);
        byte[] frame = frame(FIN | BINARY, payload);
        session.receive(Arrays.copyOfRange(frame, 0, 4096));
        return frame;
    }

    @Test
    void waitsForMemoryForALargeFrameAndReadsItWhenTheBudgetHasRoom() {
        byte[] frame = startALargeFrameWhileMemoryIsShort();
        assertThat(session.readingPaused())
                .as("no room for 60 kB: it stops reading")
                .isTrue();
        session.receive(Arrays.copyOfRange(frame, 4096, frame.length));
        assertThat(handler.binaries).isEmpty();

        session.server.budget.release(50_000);
        session.loop.memoryReleased();
        session.runTasks();

        assertThat(session.readingPaused()).isFalse();
        assertThat(handler.binaries).hasSize(1);
        assertThat(handler.binaries.get(0)).hasSize(60_000).containsOnly((byte) 7);
        assertThat(session.nextFrame().payload()).hasSize(60_000);
    }

    @Test
    void looksForRoomAgainOnItsLoopsPollWhenNoReleaseWakesIt() {
        byte[] frame = startALargeFrameWhileMemoryIsShort();
        session.receive(Arrays.copyOfRange(frame, 4096, frame.length));
        session.server.budget.release(50_000); // released elsewhere: nothing tells this loop

        session.advance(Duration.ofMillis(10));

        assertThat(handler.binaries).hasSize(1);
    }

    @Test
    void closesWith1013WhenTheWaitForMemoryLastsTooLong() {
        startALargeFrameWhileMemoryIsShort();

        assertThat(session.memoryWait(System.nanoTime())).isEqualTo(WebSocketSession.MemoryWait.WAITING);
        assertThat(session.memoryWait(System.nanoTime() + ServerLoop.MEMORY_WAIT_NANOS + 1_000_000))
                .isEqualTo(WebSocketSession.MemoryWait.GONE);

        ServerFrame close = session.nextFrame();
        assertThat(close.closeCode()).isEqualTo(1013);
        assertThat(close.closeReason()).isEqualTo("MEMORY_WAIT_TIMEOUT");
        session.server.budget.release(50_000);
    }

    @Test
    void failsAFrameLargerThanTheWholeBudgetWith1009() {
        open(ServerConfig.builder().memoryBudget(16 * 1024).build());
        byte[] frame = frame(FIN | BINARY, new byte[20_000]);

        session.receive(Arrays.copyOfRange(frame, 0, 4096));

        assertFailedWith(1009, "OVER_MEMORY_BUDGET");
    }

    // ---- keepalive ---------------------------------------------------------------------------------------------

    @Test
    void pingsAtAKeepaliveVisit() {
        open().keepalive();

        ServerFrame ping = session.nextFrame();
        assertThat(ping.opcode()).isEqualTo(PING);
        assertThat(ping.payload()).isEmpty();
        assertThat(session.server.counters.pings.sum()).isEqualTo(1);
    }

    @Test
    void closesAPeerThatLeftThePingUnansweredAWholeIntervalWith1006AndNoCloseFrame() {
        open().keepalive();
        session.nextFrame();

        session.keepalive();

        assertThat(session.tcpClosed()).isTrue();
        assertThat(session.frames()).as("1006 is never sent: TCP just closes").isEmpty();
        assertThat(handler.closed.poll()).isEqualTo(new Closed(1006, "PONG_TIMEOUT"));
        assertThat(session.server.counters.deadPeers.sum()).isEqualTo(1);
    }

    @Test
    void keepsAPeerThatAnsweredThePing() {
        open().keepalive();
        session.receive(frame(FIN | PONG, new byte[0]));

        session.keepalive();

        assertThat(session.tcpClosed()).isFalse();
        assertThat(session.frames()).extracting(ServerFrame::opcode).containsExactly(PING, PING);
    }

    @Test
    void takesAnyFrameAsASignOfLifeNotOnlyThePong() {
        open().keepalive();
        session.receive(text("busy, not answering pings"));

        session.keepalive();

        assertThat(session.tcpClosed()).isFalse();
    }

    @Test
    void judgesAPeerWithBytesQueuedByWhetherItTakesAny() {
        open().peerStopsReading();
        handler.connection.sendText(repeat('x', 10_000));
        session.keepalive(); // the ping queues behind the text
        session.peerTakes(100);

        session.keepalive();
        assertThat(session.tcpClosed()).as("it took some: slow, not dead").isFalse();
        session.keepalive();

        assertThat(session.tcpClosed()).as("it took none in a whole interval").isTrue();
        assertThat(handler.closed.poll()).isEqualTo(new Closed(1006, "WRITE_TIMEOUT"));
    }

    @Test
    void neitherPingsNorJudgesWhileItsLoopRunsBehind() {
        open().keepalive();
        session.nextFrame();
        long behind = session.loop.lastBeatNanos() + ServerLoop.HEARTBEAT_NANOS + ServerLoop.BEHIND_NANOS + 1;

        session.keepaliveAt(behind);

        assertThat(session.tcpClosed()).as("a late loop judges nobody").isFalse();
        assertThat(session.frames()).as("and pings nobody").isEmpty();
        session.keepalive();
        assertThat(session.tcpClosed())
                .as("on time again, the unanswered ping counts")
                .isTrue();
    }

    @Test
    void skipsThePingWhenThePeerWasActiveIfConfiguredSo() {
        open(ServerConfig.builder().skipPingWhenActive(true).build()).receive(text("active"));
        session.nextFrame();

        session.keepalive();
        assertThat(session.frames()).as("no ping after traffic").isEmpty();
        session.keepalive();

        assertThat(session.nextFrame().opcode()).isEqualTo(PING);
    }

    @Test
    void sendsNoPingOnceClosingBegan() {
        open();
        handler.connection.close(1000, "");
        session.nextFrame();

        session.keepalive();

        assertThat(session.frames()).isEmpty();
    }

    private static final Duration IDLE = Duration.ofSeconds(10);

    @Test
    void closesAConnectionWithoutDataForTheIdleTimeoutWith1000() {
        open(ServerConfig.builder().idleTimeout(IDLE).build());

        session.keepaliveAt(System.nanoTime() + IDLE.toNanos());

        ServerFrame close = session.nextFrame();
        assertThat(close.closeCode()).isEqualTo(1000);
        assertThat(close.closeReason()).isEqualTo("IDLE_TIMEOUT");
    }

    @Test
    void restartsTheIdleClockAtEachDataMessage() throws InterruptedException {
        open(ServerConfig.builder().idleTimeout(IDLE).build());
        Thread.sleep(5); // so the open is measurably older than the message
        long beforeMessage = System.nanoTime();
        session.receive(text("still here"));
        session.nextFrame();

        session.keepaliveAt(beforeMessage + IDLE.toNanos() - TimeUnit.MILLISECONDS.toNanos(1));

        assertThat(session.frames())
                .as("no idle close: the clock started at the message, not at the open")
                .noneMatch(ServerFrame::isClose);
        assertThat(handler.connection.isOpen()).isTrue();
    }

    @Test
    void countsNoPongOrPingAsDataForTheIdleTimeout() throws InterruptedException {
        open(ServerConfig.builder().idleTimeout(IDLE).build());
        Thread.sleep(5);
        long beforeControl = System.nanoTime();
        session.receive(frame(FIN | PONG, new byte[0]), frame(FIN | PING, new byte[0]));
        session.nextFrame(); // the pong

        session.keepaliveAt(beforeControl + IDLE.toNanos() - TimeUnit.MILLISECONDS.toNanos(1));

        assertThat(session.nextFrame().closeReason()).isEqualTo("IDLE_TIMEOUT");
    }

    // ---- threading and flushing --------------------------------------------------------------------------------

    @Test
    void runsSendsFromOtherThreadsOnItsLoopInTheirOrder() throws Exception {
        open();
        Thread other = new Thread(() -> {
            handler.connection.sendText("a");
            handler.connection.sendText("b");
            handler.connection.sendText("c");
        });
        other.start();
        other.join(TimeUnit.SECONDS.toMillis(5));
        assertThat(session.frames()).as("nothing is written off the loop").isEmpty();

        session.runTasks();

        assertThat(session.frames()).extracting(ServerFrame::text).containsExactly("a", "b", "c");
    }

    @Test
    void flushesTheAnswersToOneReadOnceWhenTheReadCompletes() {
        open();
        int before = session.flushes;

        session.receive(concat(text("one"), text("two"), text("three")));

        assertThat(session.frames()).hasSize(3);
        assertThat(session.flushes - before).isEqualTo(1);
    }
}
