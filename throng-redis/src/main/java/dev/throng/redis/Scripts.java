package dev.throng.redis;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The Lua scripts of the broker ({@code src/main/resources/dev/throng/redis}), each with {@code lib.lua} before it.
 * They run with {@code EVAL} (the text each time, which Redis hashes to its compiled copy): unlike {@code EVALSHA} it
 * needs no second round trip after a Redis restart, so commands are never retried out of their order.
 */
enum Scripts {
    COUNTS("counts.lua"),
    PRESENCE("presence.lua"),
    LEASE("lease.lua"),
    REAP("reap.lua"),
    PUBLISH_CACHED("publish_cached.lua"),
    QUERY("query.lua"),
    QUOTA("quota.lua"),
    GONE("gone.lua");

    private static final String[] NO_KEYS = new String[0];

    private final String text;

    Scripts(String file) {
        this.text = read("lib.lua") + "\n" + read(file);
    }

    /** Runs the script with {@code args} (keys are named by the script from its arguments); a list or a number. */
    @SuppressWarnings("unchecked")
    <T> CompletionStage<T> run(
            RedisScriptingAsyncCommands<String, String> redis, ScriptOutputType type, List<String> args) {
        return (CompletionStage<T>) redis.eval(text, type, NO_KEYS, args.toArray(String[]::new));
    }

    String text() {
        return text;
    }

    private static String read(String file) {
        try (InputStream in = Scripts.class.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("script " + file + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
