package dev.throng.core.handshake;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Chooses a permessage-deflate offer from a client's {@code Sec-WebSocket-Extensions} headers (RFC 7692 §5, §7).
 *
 * <p>Offers are tried in the client's order; the first one whose parameters are all known, well-formed and not
 * repeated is accepted. An offer with anything else is declined (§5.1), and when none is acceptable the connection
 * goes on without compression. Parameter values may be tokens or quoted strings, as browsers and other clients send
 * them ({@code client_max_window_bits} with no value included).
 */
public final class DeflateNegotiator {
    static final String NAME = "permessage-deflate";
    private static final String BASE_RESPONSE = NAME + "; server_no_context_takeover; client_no_context_takeover";

    private DeflateNegotiator() {}

    /**
     * @param headerValues every value of the client's Sec-WebSocket-Extensions headers, in order
     * @return the agreement, or {@code null} when no permessage-deflate offer can be accepted
     */
    public static DeflateAgreement negotiate(List<String> headerValues) {
        for (String value : headerValues) {
            for (List<String[]> offer : parseExtensions(value)) {
                if (!offer.isEmpty() && offer.get(0)[0].equalsIgnoreCase(NAME)) {
                    DeflateAgreement agreement = accept(offer);
                    if (agreement != null) {
                        return agreement;
                    }
                }
            }
        }
        return null;
    }

    /** Accepts one offer (its first element is the extension name), or returns {@code null} to decline it. */
    private static DeflateAgreement accept(List<String[]> offer) {
        boolean serverNoContext = false;
        boolean clientNoContext = false;
        boolean clientMaxBits = false;
        int serverMaxBits = -1;
        for (int i = 1; i < offer.size(); i++) {
            String name = offer.get(i)[0].toLowerCase(Locale.ROOT);
            String value = offer.get(i)[1];
            switch (name) {
                case "server_no_context_takeover":
                    if (serverNoContext || value != null) {
                        return null;
                    }
                    serverNoContext = true;
                    break;
                case "client_no_context_takeover":
                    if (clientNoContext || value != null) {
                        return null;
                    }
                    clientNoContext = true;
                    break;
                case "server_max_window_bits":
                    if (serverMaxBits != -1) {
                        return null;
                    }
                    serverMaxBits = windowBits(value);
                    if (serverMaxBits < 0) {
                        return null;
                    }
                    break;
                case "client_max_window_bits":
                    // §7.1.2.2: a hint that the client can limit its window; we inflate any window, so we need not.
                    if (clientMaxBits || (value != null && windowBits(value) < 0)) {
                        return null;
                    }
                    clientMaxBits = true;
                    break;
                default:
                    return null; // §7: unknown parameter, decline this offer
            }
        }
        if (serverMaxBits < 0) {
            return new DeflateAgreement(15, BASE_RESPONSE);
        }
        // §7.1.2.1: accepting an offer with server_max_window_bits means answering with it.
        return new DeflateAgreement(serverMaxBits, BASE_RESPONSE + "; server_max_window_bits=" + serverMaxBits);
    }

    /** A window-bits value 8..15 (digits only, no sign or leading zero), or -1. */
    private static int windowBits(String value) {
        if (value == null || value.isEmpty() || value.length() > 2 || value.charAt(0) == '0') {
            return -1;
        }
        int bits = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            bits = bits * 10 + (c - '0');
        }
        return bits >= 8 && bits <= 15 ? bits : -1;
    }

    /**
     * Parses one header value into extensions, each a list of {name, value-or-null} pairs whose first pair is the
     * extension's name. Malformed pieces yield an element with an empty name, which no offer matches.
     */
    static List<List<String[]>> parseExtensions(String header) {
        List<List<String[]>> extensions = new ArrayList<>();
        List<String[]> current = new ArrayList<>();
        int i = 0;
        int n = header.length();
        while (i <= n) {
            // One item: token [= (token | quoted-string)]
            i = skipSpace(header, i);
            int start = i;
            while (i < n && isTokenChar(header.charAt(i))) {
                i++;
            }
            String name = header.substring(start, i);
            String value = null;
            i = skipSpace(header, i);
            if (i < n && header.charAt(i) == '=') {
                i = skipSpace(header, i + 1);
                if (i < n && header.charAt(i) == '"') {
                    StringBuilder sb = new StringBuilder();
                    i++;
                    boolean closed = false;
                    while (i < n) {
                        char c = header.charAt(i++);
                        if (c == '\\' && i < n) {
                            sb.append(header.charAt(i++));
                        } else if (c == '"') {
                            closed = true;
                            break;
                        } else {
                            sb.append(c);
                        }
                    }
                    value = closed ? sb.toString() : "";
                    if (!closed) {
                        name = "";
                    }
                } else {
                    int vStart = i;
                    while (i < n && isTokenChar(header.charAt(i))) {
                        i++;
                    }
                    value = header.substring(vStart, i);
                }
                i = skipSpace(header, i);
            }
            current.add(new String[] {name, value});
            if (i >= n) {
                extensions.add(current);
                break;
            }
            char sep = header.charAt(i);
            if (sep == ';') {
                i++;
            } else if (sep == ',') {
                extensions.add(current);
                current = new ArrayList<>();
                i++;
            } else {
                current.add(new String[] {"", null}); // junk: poisons this extension
                while (i < n && header.charAt(i) != ',') {
                    i++;
                }
            }
        }
        return extensions;
    }

    private static int skipSpace(String s, int i) {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    private static boolean isTokenChar(char c) {
        return c > 0x20 && c < 0x7F && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
    }
}
