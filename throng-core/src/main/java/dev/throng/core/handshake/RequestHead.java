package dev.throng.core.handshake;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Parses the head of an HTTP/1.1 request (request line and header fields, RFC 9112 §2-§5) from the bytes a lean
 * connection read, without a Netty channel or decoder (issue #4: a socket gets no channel at all). The result is a
 * Netty {@link HttpRequest}, so the one {@link UpgradeValidator} judges requests from both transports.
 *
 * <p>What it accepts and refuses, each with the status the validator gives it:
 * <ul>
 *   <li>Empty lines before the request line are skipped (RFC 9112 §2.2).</li>
 *   <li>A request line longer than {@code maxInitialLineLength}: 414 (as Netty's decoder).</li>
 *   <li>Header lines longer in total than {@code maxHeaderSize}: 431.</li>
 *   <li>Lines end in CRLF. A bare LF is refused (RFC 9112 §2.2 lets a recipient accept it, but Netty's decoder, which
 *       serves the NIO transport, refuses it, and both transports must answer alike); so is a CR elsewhere.</li>
 *   <li>A request line of other than three parts, a method that is not a token, a target with control characters
 *       or a version other than {@code HTTP/d.d}: 400.</li>
 *   <li>A field name that is not a token (whitespace before the colon included, RFC 9112 §5.1), a line folded
 *       onto the previous one (obs-fold, §5.2), or a value with control characters: 400.</li>
 *   <li>Body framing that cannot be trusted (RFC 9112 §6.1, §6.3): a Transfer-Encoding whose final coding is not
 *       chunked, chunked applied twice, a Transfer-Encoding in a request other than HTTP/1.1, a Content-Length
 *       that is not one decimal number, or both headers at once: 400. (An upgrade request
 *       has no body at all; the validator answers one that announces a body.)</li>
 * </ul>
 *
 * <p>Pure and allocation-light: a failed parse builds no exception stack trace (a flood of bad requests must not
 * cost a stack walk each). The two size failures are shared instances made once, since their type is all the
 * validator reads (414 or 431); a malformed request gets a small exception without a trace, which keeps its reason.
 */
public final class RequestHead {
    private static final byte CR = '\r';
    private static final byte LF = '\n';
    /** tchar (RFC 9110 §5.6.2). */
    private static final boolean[] TOKEN = new boolean[256];
    /**
     * Headers without Netty's name and value validation: {@link #headers} has already checked every name (a token)
     * and value (no control characters), so validating again would only cost CPU per handshake.
     */
    private static final DefaultHttpHeadersFactory HEADERS =
            DefaultHttpHeadersFactory.headersFactory().withValidation(false);

    /** The request line passed {@code maxInitialLineLength}: 414. Shared, without a stack trace. */
    private static final TooLongHttpLineException LINE_TOO_LONG =
            withoutTrace(new TooLongHttpLineException("the request line is longer than maxInitialLineLength"));
    /** The header lines passed {@code maxHeaderSize}: 431. Shared, without a stack trace. */
    private static final TooLongHttpHeaderException HEADERS_TOO_LARGE =
            withoutTrace(new TooLongHttpHeaderException("the header lines are larger than maxHeaderSize"));

    static {
        for (char c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
            TOKEN[c - 'a' + 'A'] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TOKEN[c] = true;
        }
    }

    private RequestHead() {}

    /**
     * Parses the request head at the start of {@code in}'s readable bytes.
     *
     * @return {@code null} when the head is not complete yet and no limit is passed (read more and call again with
     *     all the bytes); otherwise a request, whose {@linkplain HttpRequest#decoderResult() decoder result} is a
     *     failure when the head is malformed or too large. On success the reader index is moved past the head, so
     *     the bytes that remain are what the client sent after it (WebSocket frames). Empty lines before the
     *     request line are consumed even when {@code null} is returned.
     */
    public static HttpRequest parse(ByteBuf in, int maxInitialLineLength, int maxHeaderSize) {
        // One copy into an array, then plain indexing: the head is a few hundred bytes, and reading it byte by byte
        // through ByteBuf.getByte (bounds, reference count and wrapper checks on every call) was a fifth of a
        // handshake's CPU in the server's profile (docs/benchmarks.md, section 15).
        int base = in.readerIndex();
        byte[] b = new byte[in.readableBytes()];
        in.getBytes(base, b);
        int end = b.length;
        int start = 0;
        while (start < end && (b[start] == CR || b[start] == LF)) {
            start++;
        }
        in.readerIndex(base + start);
        int lineEnd = indexOf(b, start, end, LF);
        if (lineEnd < 0) {
            return end - start > maxInitialLineLength + 1 ? lineTooLong() : null;
        }
        int lineLength = lineEnd - 1 - start;
        if (lineLength > maxInitialLineLength) {
            return lineTooLong();
        }
        if (!crBefore(b, start, lineEnd)) {
            return malformed("bare LF");
        }
        // Find the end of the header block before parsing anything, so an incomplete head costs only a scan.
        int headerStart = lineEnd + 1;
        int headerBytes = 0;
        int pos = headerStart;
        while (true) {
            int next = indexOf(b, pos, end, LF);
            if (next < 0) {
                return headerBytes + (end - pos) > maxHeaderSize + 1 ? headersTooLarge() : null;
            }
            if (!crBefore(b, pos, next)) {
                return malformed("bare LF");
            }
            int contentLength = next - 1 - pos;
            if (contentLength == 0) {
                break; // the empty line that ends the head
            }
            headerBytes += contentLength;
            if (headerBytes > maxHeaderSize) {
                return headersTooLarge();
            }
            pos = next + 1;
        }
        int headEnd = pos; // the empty line
        int afterHead = indexOf(b, pos, end, LF) + 1;
        HttpRequest request = requestLine(b, start, lineEnd - 1);
        if (request == null) {
            return malformed("bad request line");
        }
        String failure = headers(b, headerStart, headEnd, request);
        if (failure == null) {
            failure = framing(request);
        }
        if (failure != null) {
            return malformed(failure);
        }
        in.readerIndex(base + afterHead);
        return request;
    }

    private static int indexOf(byte[] b, int from, int to, byte value) {
        for (int i = from; i < to; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return -1;
    }

    /** Whether the line from {@code from} to its {@code lf} ends in CRLF. */
    private static boolean crBefore(byte[] b, int from, int lf) {
        return lf > from && b[lf - 1] == CR;
    }

    private static HttpRequest requestLine(byte[] b, int from, int to) {
        int methodEnd = nextSpace(b, from, to);
        if (methodEnd <= from || methodEnd >= to) {
            return null;
        }
        for (int i = from; i < methodEnd; i++) {
            if (!TOKEN[b[i] & 0xFF]) {
                return null;
            }
        }
        int targetStart = skipSpaces(b, methodEnd, to);
        int targetEnd = nextSpace(b, targetStart, to);
        if (targetEnd <= targetStart || targetEnd >= to) {
            return null;
        }
        for (int i = targetStart; i < targetEnd; i++) {
            int c = b[i] & 0xFF;
            if (c < 0x21 || c == 0x7F) {
                return null;
            }
        }
        int versionStart = skipSpaces(b, targetEnd, to);
        if (to - versionStart != 8 || !isVersion(b, versionStart)) {
            return null;
        }
        HttpVersion version;
        HttpMethod method;
        try {
            version = version(b, versionStart);
            method = method(b, from, methodEnd);
        } catch (IllegalArgumentException e) {
            return null;
        }
        String target = new String(b, targetStart, targetEnd - targetStart, StandardCharsets.ISO_8859_1);
        return new DefaultHttpRequest(version, method, target, HEADERS.newHeaders());
    }

    /** HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3), at {@code at}. */
    private static boolean isVersion(byte[] b, int at) {
        return b[at] == 'H'
                && b[at + 1] == 'T'
                && b[at + 2] == 'T'
                && b[at + 3] == 'P'
                && b[at + 4] == '/'
                && isDigit(b[at + 5])
                && b[at + 6] == '.'
                && isDigit(b[at + 7]);
    }

    /** The version at {@code at} ({@link #isVersion} holds): Netty's constants for 1.1 and 1.0, without a String. */
    private static HttpVersion version(byte[] b, int at) {
        if (b[at + 5] == '1' && b[at + 7] == '1') {
            return HttpVersion.HTTP_1_1;
        }
        if (b[at + 5] == '1' && b[at + 7] == '0') {
            return HttpVersion.HTTP_1_0;
        }
        return HttpVersion.valueOf(new String(b, at, 8, StandardCharsets.ISO_8859_1));
    }

    /** The method in [from, to), a token: GET, the upgrade's method, without a String. */
    private static HttpMethod method(byte[] b, int from, int to) {
        if (to - from == 3 && b[from] == 'G' && b[from + 1] == 'E' && b[from + 2] == 'T') {
            return HttpMethod.GET;
        }
        return HttpMethod.valueOf(new String(b, from, to - from, StandardCharsets.ISO_8859_1));
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    /** Adds the header fields in [from, to) (whole lines) to {@code request}; returns why they are bad, or null. */
    private static String headers(byte[] b, int from, int to, HttpRequest request) {
        int pos = from;
        while (pos < to) {
            int lf = indexOf(b, pos, to, LF);
            int lineEnd = lf - 1; // CR checked above
            byte first = b[pos];
            if (first == ' ' || first == '\t') {
                return "obsolete line folding";
            }
            int colon = pos;
            while (colon < lineEnd && TOKEN[b[colon] & 0xFF]) {
                colon++;
            }
            if (colon == pos || colon >= lineEnd || b[colon] != ':') {
                return "bad header name";
            }
            int valueStart = skipSpaces(b, colon + 1, lineEnd);
            int valueEnd = lineEnd;
            while (valueEnd > valueStart && isSpace(b[valueEnd - 1])) {
                valueEnd--;
            }
            for (int i = valueStart; i < valueEnd; i++) {
                int c = b[i] & 0xFF;
                if ((c < 0x20 && c != '\t') || c == 0x7F) {
                    return "control character in a header value";
                }
            }
            // Names are tokens (ASCII) and values Latin-1, both checked above, hence no validation in HEADERS.
            request.headers()
                    .add(
                            new String(b, pos, colon - pos, StandardCharsets.ISO_8859_1),
                            new String(b, valueStart, valueEnd - valueStart, StandardCharsets.ISO_8859_1));
            pos = lf + 1;
        }
        return null;
    }

    /** Why the body framing headers are unusable (RFC 9112 §6.3 items 3-5), or null. */
    private static String framing(HttpRequest request) {
        HttpHeaders headers = request.headers();
        List<String> lengths = headers.getAll(HttpHeaderNames.CONTENT_LENGTH);
        List<String> codings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (!codings.isEmpty()) {
            if (!lengths.isEmpty()) {
                return "both Content-Length and Transfer-Encoding";
            }
            if (!HttpVersion.HTTP_1_1.equals(request.protocolVersion())) {
                return "Transfer-Encoding outside HTTP/1.1"; // no other version here defines it
            }
            int chunked = 0;
            for (String value : codings) {
                for (String coding : value.split(",")) {
                    if ("chunked".equalsIgnoreCase(coding.trim())) {
                        chunked++;
                    }
                }
            }
            if (chunked > 1) {
                return "chunked applied more than once"; // RFC 9112 §7
            }
            String last = codings.get(codings.size() - 1);
            String finalCoding = last.substring(last.lastIndexOf(',') + 1).trim();
            return "chunked".equalsIgnoreCase(finalCoding) ? null : "final transfer coding is not chunked";
        }
        if (lengths.size() > 1) {
            return "more than one Content-Length";
        }
        if (lengths.size() == 1) {
            String length = lengths.get(0);
            if (length.isEmpty() || length.length() > 18) {
                return "bad Content-Length";
            }
            for (int i = 0; i < length.length(); i++) {
                if (length.charAt(i) < '0' || length.charAt(i) > '9') {
                    return "bad Content-Length";
                }
            }
        }
        return null;
    }

    private static int nextSpace(byte[] b, int from, int to) {
        int i = from;
        while (i < to && !isSpace(b[i])) {
            i++;
        }
        return i;
    }

    private static int skipSpaces(byte[] b, int from, int to) {
        int i = from;
        while (i < to && isSpace(b[i])) {
            i++;
        }
        return i;
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t';
    }

    private static <T extends Exception> T withoutTrace(T e) {
        e.setStackTrace(new StackTraceElement[0]); // made once at class load; where it was made says nothing
        return e;
    }

    /** Why a request is malformed (400), without a stack trace: the parse is not a bug, the request is. */
    private static final class MalformedRequestException extends IllegalArgumentException {
        MalformedRequestException(String why) {
            super(why);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    private static HttpRequest lineTooLong() {
        return failed(LINE_TOO_LONG);
    }

    private static HttpRequest headersTooLarge() {
        return failed(HEADERS_TOO_LARGE);
    }

    private static HttpRequest malformed(String why) {
        return failed(new MalformedRequestException(why));
    }

    private static HttpRequest failed(Exception cause) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/bad-request");
        request.setDecoderResult(DecoderResult.failure(cause));
        return request;
    }
}
