package dev.throng.cli.config;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A configuration file in YAML, read into a {@link Trees tree} with the line of every setting (for messages), and a
 * tree written as YAML. Jackson's streaming YAML parser and generator only (no data binding), and only in the process
 * that reads the command line: workers never load this class.
 */
public final class YamlFile {
    private YamlFile() {}

    /**
     * What a file holds: its tree (every value as its text, as written), and the line each path starts on.
     *
     * @param tree the root mapping
     * @param lines the line (from 1) of every group, list item and value, by path ({@code apps[0].key})
     */
    public record Contents(Map<String, Object> tree, Map<String, Integer> lines) {}

    /**
     * Reads {@code reader}'s first YAML document, which must be a mapping (or empty).
     *
     * @throws IllegalArgumentException for text that is not YAML, a duplicated key, or a root that is not a mapping,
     *     saying where
     * @throws IOException when the reader fails
     */
    public static Contents read(Reader reader) throws IOException {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser parser = new YAMLFactory().createParser(reader)) {
            JsonToken first = parser.nextToken();
            if (first == null || first == JsonToken.VALUE_NULL) {
                return new Contents(new LinkedHashMap<>(), lines);
            }
            if (first != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException(
                        "line " + line(parser) + ": expected settings (name: value), got " + parser.getText());
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> tree = (Map<String, Object>) value(parser, "", lines);
            return new Contents(tree, lines);
        } catch (JsonProcessingException e) {
            String where =
                    e.getLocation() == null ? "" : "line " + e.getLocation().getLineNr() + ": ";
            throw new IllegalArgumentException(where + "not valid YAML: "
                    + e.getOriginalMessage().lines().findFirst().orElse("").trim());
        }
    }

    private static Object value(JsonParser parser, String path, Map<String, Integer> lines) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.START_OBJECT) {
            Map<String, Object> map = new LinkedHashMap<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                String child = SettingPath.child(path, name);
                if (map.containsKey(name)) {
                    throw new IllegalArgumentException("line " + line(parser) + ": " + child + " is given twice");
                }
                lines.put(child, line(parser));
                parser.nextToken();
                map.put(name, value(parser, child, lines));
            }
            return map;
        }
        if (token == JsonToken.START_ARRAY) {
            List<Object> list = new ArrayList<>();
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                String child = path + "[" + list.size() + "]";
                lines.put(child, line(parser));
                list.add(value(parser, child, lines));
            }
            return list;
        }
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        return parser.getText();
    }

    private static int line(JsonParser parser) {
        return parser.currentTokenLocation().getLineNr();
    }

    /**
     * {@code tree} as YAML, members in {@code shape}'s order: numbers and booleans plain, every other value a string,
     * quoted only where YAML would read it as something else.
     */
    public static String write(Map<String, Object> tree, Shape.Group shape) {
        StringWriter out = new StringWriter();
        YAMLFactory factory = YAMLFactory.builder()
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
                .build();
        try (JsonGenerator generator = factory.createGenerator(out)) {
            write(generator, shape, tree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void write(JsonGenerator out, Shape shape, Object node) throws IOException {
        if (node == null) {
            out.writeNull();
        } else if (shape instanceof Shape.Group group) {
            Map<?, ?> map = (Map<?, ?>) node;
            out.writeStartObject();
            for (Map.Entry<String, Shape> member : group.members().entrySet()) {
                if (map.containsKey(member.getKey())) {
                    out.writeFieldName(member.getKey());
                    write(out, member.getValue(), map.get(member.getKey()));
                }
            }
            out.writeEndObject();
        } else if (shape instanceof Shape.Items items) {
            out.writeStartArray();
            for (Object element : (List<?>) node) {
                write(out, items.element(), element);
            }
            out.writeEndArray();
        } else {
            Kind kind = ((Shape.Leaf) shape).kind();
            if (kind.isCollection()) {
                out.writeStartArray();
                for (Object element : (List<?>) node) {
                    out.writeString((String) element);
                }
                out.writeEndArray();
            } else {
                writeScalar(out, kind, (String) node);
            }
        }
    }

    private static void writeScalar(JsonGenerator out, Kind kind, String text) throws IOException {
        if (kind.type() == Kind.Yaml.BOOLEAN) {
            out.writeBoolean(Boolean.parseBoolean(text));
        } else if (kind.type() == Kind.Yaml.NUMBER && text.matches("-?[0-9]+")) {
            out.writeNumber(text);
        } else {
            out.writeString(text);
        }
    }
}
