package dev.throng.core.test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a scenario of {@code src/test/node/witness.js} (Node's {@code ws} client, installed by the build's
 * {@code npm ci}) against a server and returns the one JSON object it prints, as maps, lists, strings, numbers
 * ({@code Double}) and booleans.
 *
 * <pre>
 * Map&lt;String, Object&gt; result = NodeWitness.run(server.uri("/"), "echo");
 * </pre>
 */
public final class NodeWitness {
    private static final long TIMEOUT_SECONDS = 10;

    private NodeWitness() {}

    /** The folder of the Node scripts and their node_modules. */
    public static Path scriptDir() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "src", "test", "node");
    }

    /**
     * Runs {@code scenario} against {@code url} with optional {@code args}; fails when Node fails, times out or reports
     * {@code ok: false}.
     */
    public static Map<String, Object> run(URI url, String scenario, String... args)
            throws IOException, InterruptedException {
        List<String> arguments = new ArrayList<>(List.of(url.toString(), scenario));
        arguments.addAll(List.of(args));
        return runScript(scriptDir(), "witness.js", Duration.ofSeconds(TIMEOUT_SECONDS), arguments);
    }

    /**
     * Runs {@code node script args...} in {@code dir} (which holds the script and its node_modules) and returns the
     * one JSON object of its last line of output; fails when Node fails, runs longer than {@code timeout} or reports
     * {@code ok: false}.
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> runScript(Path dir, String script, Duration timeout, List<String> args)
            throws IOException, InterruptedException {
        if (!Files.isDirectory(dir.resolve("node_modules").resolve("ws"))) {
            throw new IllegalStateException("ws is not installed in " + dir + " (the build runs npm ci there)");
        }
        List<String> command = new ArrayList<>(List.of("node", script));
        command.addAll(args);
        Process node = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(false)
                .start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(node.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(node.getErrorStream()));
        if (!node.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            node.destroyForcibly();
            throw new AssertionError("node " + script + " " + args + " still running after " + timeout);
        }
        String stdout = out.join().trim();
        String stderr = err.join().trim();
        String lastLine = stdout.isEmpty() ? "" : stdout.substring(stdout.lastIndexOf('\n') + 1);
        if (!lastLine.startsWith("{")) {
            throw new AssertionError("node " + script + " " + args + " exited " + node.exitValue()
                    + " without a result; stderr: " + abbreviate(stderr));
        }
        Map<String, Object> result = (Map<String, Object>) new Parser(lastLine).value();
        if (!Boolean.TRUE.equals(result.get("ok"))) {
            throw new AssertionError("node " + script + " " + args + " failed at " + result.get("step") + ": "
                    + abbreviate(String.valueOf(result.get("error"))) + " (socket error: " + result.get("socketError")
                    + ")");
        }
        return result;
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 2000 ? s : s.substring(0, 2000) + "…";
    }

    /** Just enough JSON (RFC 8259) for the witness's output. */
    private static final class Parser {
        private final String s;
        private int at;

        Parser(String s) {
            this.s = s;
        }

        Object value() {
            skipSpace();
            char c = s.charAt(at);
            switch (c) {
                case '{':
                    return object();
                case '[':
                    return array();
                case '"':
                    return string();
                case 't':
                    return literal("true", Boolean.TRUE);
                case 'f':
                    return literal("false", Boolean.FALSE);
                case 'n':
                    return literal("null", null);
                default:
                    return number();
            }
        }

        private Map<String, Object> object() {
            Map<String, Object> map = new LinkedHashMap<>();
            at++;
            skipSpace();
            if (s.charAt(at) == '}') {
                at++;
                return map;
            }
            for (; ; ) {
                skipSpace();
                String key = string();
                skipSpace();
                expect(':');
                map.put(key, value());
                skipSpace();
                if (s.charAt(at++) == '}') {
                    return map;
                }
            }
        }

        private List<Object> array() {
            List<Object> list = new ArrayList<>();
            at++;
            skipSpace();
            if (s.charAt(at) == ']') {
                at++;
                return list;
            }
            for (; ; ) {
                list.add(value());
                skipSpace();
                if (s.charAt(at++) == ']') {
                    return list;
                }
            }
        }

        private String string() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            for (; ; ) {
                char c = s.charAt(at++);
                if (c == '"') {
                    return sb.toString();
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                char e = s.charAt(at++);
                switch (e) {
                    case 'n':
                        sb.append('\n');
                        break;
                    case 't':
                        sb.append('\t');
                        break;
                    case 'r':
                        sb.append('\r');
                        break;
                    case 'b':
                        sb.append('\b');
                        break;
                    case 'f':
                        sb.append('\f');
                        break;
                    case 'u':
                        sb.append((char) Integer.parseInt(s.substring(at, at + 4), 16));
                        at += 4;
                        break;
                    default:
                        sb.append(e);
                }
            }
        }

        private Double number() {
            int start = at;
            while (at < s.length() && "+-0123456789.eE".indexOf(s.charAt(at)) >= 0) {
                at++;
            }
            return Double.valueOf(s.substring(start, at));
        }

        private Object literal(String word, Object value) {
            if (!s.startsWith(word, at)) {
                throw new IllegalArgumentException("bad JSON at " + at);
            }
            at += word.length();
            return value;
        }

        private void expect(char c) {
            if (s.charAt(at++) != c) {
                throw new IllegalArgumentException("expected '" + c + "' at " + (at - 1));
            }
        }

        private void skipSpace() {
            while (at < s.length() && Character.isWhitespace(s.charAt(at))) {
                at++;
            }
        }
    }
}
