package dev.throng.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;

/**
 * Reads an enum constant by its name in any case ({@code echo}, {@code ECHO}); another name is a conversion error
 * that lists the names there are. Subclass it per enum, since picocli makes converters by their no-argument
 * constructor:
 *
 * <pre>
 * static final class ScenarioConverter extends EnumConverter&lt;Scenario&gt; {
 *     ScenarioConverter() { super(Scenario.class); }
 * }
 * </pre>
 */
abstract class EnumConverter<E extends Enum<E>> implements CommandLine.ITypeConverter<E> {

    private final Class<E> type;

    EnumConverter(Class<E> type) {
        this.type = type;
    }

    @Override
    public E convert(String value) {
        List<String> names = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(value.trim())) {
                return constant;
            }
            names.add(constant.name().toLowerCase(Locale.ROOT));
        }
        throw new CommandLine.TypeConversionException("expected " + String.join(", ", names) + "; got '" + value + "'");
    }
}
