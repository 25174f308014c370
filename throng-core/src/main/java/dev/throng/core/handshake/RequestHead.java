package dev.throng.core.handshake;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpHeaders;
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
 * <p>Pure and allocation-light: a failed parse costs no exception stack trace until the request is answered.
 */
public final class RequestHead {
    private static final byte CR = '\r';
    private static final byte LF = '\n';
    /** tchar (RFC 9110 §5.6.2). */
    private static final boolean[] TOKEN = new boolean[256];

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

    private RequestHead() {
    }

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
        int end = in.writerIndex();
        int start = in.readerIndex();
        while (start < end && (in.getByte(start) == CR || in.getByte(start) == LF)) {
            start++;
        }
        in.readerIndex(start);
        int lineEnd = in.indexOf(start, end, LF);
        if (lineEnd < 0) {
            return end - start > maxInitialLineLength + 1 ? lineTooLong(maxInitialLineLength) : null;
        }
        int lineLength = lineEnd - 1 - start;
        if (lineLength > maxInitialLineLength) {
            return lineTooLong(maxInitialLineLength);
        }
        if (!crBefore(in, start, lineEnd)) {
            return malformed("bare LF");
        }
        // Find the end of the header block before parsing anything, so an incomplete head costs only a scan.
        int headerStart = lineEnd + 1;
        int headerBytes = 0;
        int pos = headerStart;
        while (true) {
            int next = in.indexOf(pos, end, LF);
            if (next < 0) {
                return headerBytes + (end - pos) > maxHeaderSize + 1 ? headersTooLarge(maxHeaderSize) : null;
            }
            if (!crBefore(in, pos, next)) {
                return malformed("bare LF");
            }
            int contentLength = next - 1 - pos;
            if (contentLength == 0) {
                break; // the empty line that ends the head
            }
            headerBytes += contentLength;
            if (headerBytes > maxHeaderSize) {
                return headersTooLarge(maxHeaderSize);
            }
            pos = next + 1;
        }
        int headEnd = pos; // the empty line
        int afterHead = in.indexOf(pos, end, LF) + 1;
        HttpRequest request = requestLine(in, start, lineEnd - 1);
        if (request == null) {
            return malformed("bad request line");
        }
        String failure = headers(in, headerStart, headEnd, request);
        if (failure == null) {
            failure = framing(request);
        }
        if (failure != null) {
            return malformed(failure);
        }
        in.readerIndex(afterHead);
        return request;
    }

    /** Whether the line from {@code from} to its {@code lf} ends in CRLF. */
    private static boolean crBefore(ByteBuf in, int from, int lf) {
        return lf > from && in.getByte(lf - 1) == CR;
    }

    private static HttpRequest requestLine(ByteBuf in, int from, int to) {
        int methodEnd = nextSpace(in, from, to);
        if (methodEnd <= from || methodEnd >= to) {
            return null;
        }
        for (int i = from; i < methodEnd; i++) {
            if (!TOKEN[in.getByte(i) & 0xFF]) {
                return null;
            }
        }
        int targetStart = skipSpaces(in, methodEnd, to);
        int targetEnd = nextSpace(in, targetStart, to);
        if (targetEnd <= targetStart || targetEnd >= to) {
            return null;
        }
        for (int i = targetStart; i < targetEnd; i++) {
            int b = in.getByte(i) & 0xFF;
            if (b < 0x21 || b == 0x7F) {
                return null;
            }
        }
        int versionStart = skipSpaces(in, targetEnd, to);
        if (to - versionStart != 8 || !isVersion(in, versionStart)) {
            return null;
        }
        HttpVersion version;
        HttpMethod method;
        try {
            version = HttpVersion.valueOf(in.toString(versionStart, to - versionStart, StandardCharsets.US_ASCII));
            method = HttpMethod.valueOf(in.toString(from, methodEnd - from, StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            return null;
        }
        String target = in.toString(targetStart, targetEnd - targetStart, StandardCharsets.ISO_8859_1);
        return new DefaultHttpRequest(version, method, target, new DefaultHttpHeaders());
    }

    /** HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3), at {@code at}. */
    private static boolean isVersion(ByteBuf in, int at) {
        return in.getByte(at) == 'H' && in.getByte(at + 1) == 'T' && in.getByte(at + 2) == 'T'
            && in.getByte(at + 3) == 'P' && in.getByte(at + 4) == '/' && isDigit(in.getByte(at + 5))
            && in.getByte(at + 6) == '.' && isDigit(in.getByte(at + 7));
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    /** Adds the header fields in [from, to) (whole lines) to {@code request}; returns why they are bad, or null. */
    private static String headers(ByteBuf in, int from, int to, HttpRequest request) {
        int pos = from;
        while (pos < to) {
            int lf = in.indexOf(pos, to, LF);
            int lineEnd = lf - 1; // CR checked above
            byte first = in.getByte(pos);
            if (first == ' ' || first == '\t') {
                return "obsolete line folding";
            }
            int colon = pos;
            while (colon < lineEnd && TOKEN[in.getByte(colon) & 0xFF]) {
                colon++;
            }
            if (colon == pos || colon >= lineEnd || in.getByte(colon) != ':') {
                return "bad header name";
            }
            int valueStart = skipSpaces(in, colon + 1, lineEnd);
            int valueEnd = lineEnd;
            while (valueEnd > valueStart && isSpace(in.getByte(valueEnd - 1))) {
                valueEnd--;
            }
            for (int i = valueStart; i < valueEnd; i++) {
                int b = in.getByte(i) & 0xFF;
                if ((b < 0x20 && b != '\t') || b == 0x7F) {
                    return "control character in a header value";
                }
            }
            request.headers().add(in.toString(pos, colon - pos, StandardCharsets.US_ASCII),
                in.toString(valueStart, valueEnd - valueStart, StandardCharsets.ISO_8859_1));
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

    private static int nextSpace(ByteBuf in, int from, int to) {
        int i = from;
        while (i < to && !isSpace(in.getByte(i))) {
            i++;
        }
        return i;
    }

    private static int skipSpaces(ByteBuf in, int from, int to) {
        int i = from;
        while (i < to && isSpace(in.getByte(i))) {
            i++;
        }
        return i;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t';
    }

    private static HttpRequest lineTooLong(int max) {
        return failed(new TooLongHttpLineException("An HTTP line is larger than " + max + " bytes."));
    }

    private static HttpRequest headersTooLarge(int max) {
        return failed(new TooLongHttpHeaderException("HTTP header is larger than " + max + " bytes."));
    }

    private static HttpRequest malformed(String why) {
        return failed(new IllegalArgumentException(why));
    }

    private static HttpRequest failed(Exception cause) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/bad-request");
        request.setDecoderResult(DecoderResult.failure(cause));
        return request;
    }
}
