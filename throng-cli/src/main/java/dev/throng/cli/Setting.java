package dev.throng.cli;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The setting an option of {@code throng serve} gives ({@link ServeSettings}), by its path: the option's value goes
 * into the configuration over the environment and the file, and its help shows the setting's default.
 *
 * <pre>
 * &#64;Setting("limits.maxFrameSize")
 * &#64;Option(names = "--max-frame-size", converter = SizeConverter.class, description = "... ${DEFAULT-VALUE}")
 * int maxFrameSize;
 * </pre>
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
@interface Setting {
    /** The setting's path, {@code limits.maxFrameSize}. */
    String value();

    /** For a switch: it sets the setting to false ({@code --no-compression}). */
    boolean negated() default false;
}
