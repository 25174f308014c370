package dev.throng.gateway.hub;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The user a presence subscription or a sign-in names: parsed from a presence auth's {@code channel_data}
 * ({@code {"user_id":..,"user_info":..}}) or a sign-in's {@code user_data} ({@code {"id":"..","user_info":..,
 * "watchlist":[..]}}). The id is kept both as the JSON value received (a number stays a number in presence payloads,
 * as other servers echo it) and as a string (users are compared, and REST and webhooks name them, by it);
 * {@code user_info} as its JSON text, untouched.
 *
 * @param idJson the id as the JSON value received
 * @param id the id's string form
 * @param infoJson {@code user_info} as JSON text, or {@code null} when absent
 * @param watchlist a sign-in's watchlist (empty when absent)
 */
record MemberData(String idJson, String id, String infoJson, List<String> watchlist) {
    private static final JsonFactory JSON = JsonFactory.builder().build();

    /** A presence {@code channel_data}; null when it is not an object with a string or number {@code user_id}. */
    static MemberData ofChannelData(String channelData) {
        return parse(channelData, "user_id", true);
    }

    /** A sign-in's {@code user_data}; null unless it is an object with a non-empty string {@code id}. */
    static MemberData ofUserData(String userData) {
        return parse(userData, "id", false);
    }

    private static MemberData parse(String json, String idField, boolean numbersAllowed) {
        if (json == null) {
            return null;
        }
        String idJson = null;
        String id = null;
        String info = null;
        List<String> watchlist = List.of();
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals(idField)) {
                    if (value == JsonToken.VALUE_STRING) {
                        id = p.getText();
                        idJson = quoted(id);
                    } else if (numbersAllowed && (value == JsonToken.VALUE_NUMBER_INT)) {
                        id = p.getText();
                        idJson = id;
                    } else {
                        return null;
                    }
                } else if (name.equals("user_info")) {
                    info = copy(p);
                } else if (name.equals("watchlist") && value == JsonToken.START_ARRAY) {
                    List<String> ids = new ArrayList<>();
                    while (p.nextToken() == JsonToken.VALUE_STRING) {
                        ids.add(p.getText());
                    }
                    if (p.currentToken() != JsonToken.END_ARRAY) {
                        return null;
                    }
                    watchlist = ids;
                } else {
                    p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                return null;
            }
        } catch (IOException e) {
            return null;
        }
        return id == null || id.isEmpty() ? null : new MemberData(idJson, id, info, watchlist);
    }

    /** The JSON text of the value at the parser's current token (compact). */
    private static String copy(JsonParser p) throws IOException {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.copyCurrentStructure(p);
        }
        return out.toString();
    }

    static String quoted(String s) {
        StringWriter out = new StringWriter(s.length() + 2);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeString(s);
        } catch (IOException e) {
            throw new IllegalStateException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    /** The {@code data} of {@code pusher_internal:member_added}: {@code {"user_id":..,"user_info":..}}. */
    String memberAddedData() {
        return "{\"user_id\":" + idJson + (infoJson == null ? "" : ",\"user_info\":" + infoJson) + "}";
    }

    /** The {@code data} of {@code pusher_internal:member_removed}: {@code {"user_id":..}}. */
    String memberRemovedData() {
        return "{\"user_id\":" + idJson + "}";
    }
}
