package dev.throng.cli;

import dev.throng.cli.config.Kind;
import dev.throng.cli.config.RecordMapping;
import dev.throng.cli.config.SettingException;
import dev.throng.cli.config.SettingPath;
import dev.throng.cli.config.Shape;
import dev.throng.cli.config.Trees;
import dev.throng.cli.config.Values;
import dev.throng.cli.config.YamlFile;
import dev.throng.core.ServerConfig;
import dev.throng.doctor.WorkerSizing;
import dev.throng.gateway.GatewayConfig;
import dev.throng.gateway.app.App;
import dev.throng.gateway.app.Apps;
import dev.throng.redis.RedisClusterSettings;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The whole configuration of {@code throng serve}, from its four sources in one order of precedence: <b>command-line
 * flags &gt; environment variables &gt; the YAML file of {@code --config} &gt; defaults</b>. Every source names
 * settings by the same paths ({@code limits.maxFrameSize}, {@code apps[0].key}); the defaults are ServerConfig's and
 * GatewayConfig's own, so each is stated once.
 *
 * <p>The defaults become a tree ({@link Trees}), the file's tree is laid over it, then each environment variable and
 * each flag sets its one setting; every value is checked as it is read, so a bad one is reported with the place it
 * came from. The tree is then bound to the records ({@link RecordMapping}), whose own checks run, and a refusal is
 * reported against the source of the setting it names: one line, e.g.
 * {@code limits.maxFrameSize from THRONG_LIMITS_MAX_FRAME_SIZE: must be at least 125 (a control frame), got 100} or
 * {@code in throng.yaml line 7: apps[0].key: ...} ({@link Invalid}).
 *
 * <p>Besides ServerConfig's groups (at the root: {@code listen}, {@code handshake}, ...) the tree holds the process's
 * own settings ({@code mode}, {@code workers}, {@code drainWindow}), the gateway's ({@code gateway}: GatewayConfig
 * without its apps), the apps ({@code apps}) and the cluster's ({@code redis}: RedisClusterSettings, whose {@code uri}
 * has no default: without it the gateway is a single process). Three values mean something else here than in
 * ServerConfig, because {@code throng serve} splits them over its workers: {@code admission.maxConnections} and
 * {@code admission.handshakesPerSecond} are totals, and {@code listen.ioThreads} and {@code limits.memoryBudget} may be
 * {@code auto} ({@link #serverConfig} resolves them per process).
 */
final class ServeSettings {

    /** What {@code throng serve} runs. */
    enum Mode {
        /** The Pusher gateway (issue #17): what {@code throng serve} is for. */
        GATEWAY,
        /** Every message echoed: the plain engine, for conformance and density measurements. */
        ECHO
    }

    /** Default mode: the gateway, which is what the server is for; {@code echo} is the engine on its own. */
    static final Mode MODE = Mode.GATEWAY;
    /**
     * Default workers: one process; {@code auto} or a number spreads the load over processes (in gateway mode only
     * with {@code redis.uri}, which makes each worker a node of one cluster).
     */
    static final int WORKERS = 1;
    /**
     * Default drain window: on SIGTERM, open connections are closed over 10 s, in batches every 100 ms, so clients do
     * not all reconnect at once; short enough for a rolling restart.
     */
    static final Duration DRAIN_WINDOW = Duration.ofSeconds(10);

    /** Environment variables that start with THRONG_ but are not settings (read by bin/throng and the supervisor). */
    static final Set<String> NOT_SETTINGS = Set.of(
            "THRONG_JAVA_OPTS", "THRONG_WORKER_JAVA_OPTS", "THRONG_CACHE_DIR", "THRONG_CONFIG", WorkerArgs.ENVIRONMENT);
    /** {@code THRONG_APP_KEY} is short for {@code THRONG_APPS_0_KEY}: one app needs no index. */
    static final String SINGLE_APP = "APP_";

    private static final Shape.Group ENGINE = Shape.of(ServerConfig.class);
    private static final Shape.Group GATEWAY = Shape.of(GatewayConfig.class);
    /**
     * {@code redis.leaseRefresh}: a duration, or {@code auto} (0 too): a third of {@code redis.leaseTtl}, as
     * RedisClusterSettings' builder does, so that a lease TTL given alone brings its refresh along.
     */
    static final Kind DURATION_OR_AUTO = new Kind(
            "a duration or auto",
            text -> text.trim().equalsIgnoreCase("auto") ? Duration.ZERO : Values.parseDuration(text),
            value -> ((Duration) value).isZero() ? "auto" : Values.formatDuration((Duration) value),
            Kind.Yaml.STRING,
            null);

    private static final Shape.Group REDIS =
            Shape.of(RedisClusterSettings.class).withLeaf("leaseRefresh", new Shape.Leaf(DURATION_OR_AUTO));
    /** The shape of the whole tree: process settings, ServerConfig's groups, gateway, apps, redis. */
    static final Shape.Group SHAPE = shape();

    private static Shape.Group shape() {
        Map<String, Shape> members = new LinkedHashMap<>();
        members.put("mode", new Shape.Leaf(Kind.ofEnum(Mode.class)));
        members.put("workers", new Shape.Leaf(Kind.INT.orAuto(false)));
        members.put("drainWindow", new Shape.Leaf(Kind.DURATION));
        members.putAll(ENGINE.withLeaf("listen.ioThreads", new Shape.Leaf(Kind.INT.orAuto(true)))
                .withLeaf("limits.memoryBudget", new Shape.Leaf(Kind.LONG_SIZE.orAuto(false)))
                .members());
        members.put("gateway", GATEWAY.without("apps"));
        members.put("apps", GATEWAY.members().get("apps"));
        members.put("redis", REDIS);
        return new Shape.Group(null, members);
    }

    /** Where a value came from, to say so when it is refused. */
    record Source(String name, Type type) {
        enum Type {
            DEFAULT,
            FILE,
            ENVIRONMENT,
            FLAG
        }

        static final Source DEFAULT = new Source("default", Type.DEFAULT);

        /** One line: what is wrong with {@code path}, and where its value was given. */
        String describe(String path, String problem) {
            return switch (type) {
                case DEFAULT -> path + ": " + problem;
                case FILE -> "in " + name + ": " + path + ": " + problem;
                case ENVIRONMENT, FLAG -> path + " from " + name + ": " + problem;
            };
        }
    }

    /** A configuration that cannot run; the message is one line naming the setting and where it came from. */
    static final class Invalid extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message);
        }
    }

    /**
     * One setting given on the command line.
     *
     * @param path the setting
     * @param text its value as typed: a String, or a List of Strings for a list or set
     * @param flag the option that gave it, for messages ({@code --max-frame-size}, {@code --set})
     */
    record Flag(String path, Object text, String flag) {}

    private final Map<String, Object> tree;
    /** Where each value came from, by path; a path without an entry has its nearest ancestor's source. */
    private final Map<String, Source> sources;

    private final GatewayConfig gateway;
    /** The cluster's settings, or null without {@code redis.uri}. */
    private final RedisClusterSettings redis;

    private ServeSettings(Map<String, Object> tree, Map<String, Source> sources) {
        this.tree = tree;
        this.sources = sources;
        this.gateway = bindGateway();
        this.redis = bindRedis();
        checkServeValues();
    }

    /**
     * The configuration from the defaults, {@code file} (null: none), {@code environment} and {@code flags}, each
     * over the one before.
     *
     * @throws Invalid naming the first bad setting and its source, or a file that cannot be read
     */
    static ServeSettings load(Path file, Map<String, String> environment, List<Flag> flags) {
        Map<String, Object> tree = defaults();
        Map<String, Source> sources = new HashMap<>();
        if (file != null) {
            applyFile(tree, sources, file);
        }
        applyEnvironment(tree, sources, environment);
        applyFlags(tree, sources, flags);
        completeApps(tree);
        return new ServeSettings(tree, sources);
    }

    /** The defaults as a tree: ServerConfig's, GatewayConfig's, the process's own; {@code auto} where serve picks. */
    static Map<String, Object> defaults() {
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("mode", text("mode", MODE));
        tree.put("workers", text("workers", WORKERS));
        tree.put("drainWindow", text("drainWindow", DRAIN_WINDOW));
        tree.putAll(RecordMapping.toTree(ServerConfig.builder().build()));
        Trees.put(tree, List.of("listen", "ioThreads"), "auto"); // cores / workers, resolved per process
        Trees.put(tree, List.of("limits", "memoryBudget"), "auto"); // from the message size (WorkerPlan)
        Map<String, Object> gateway = RecordMapping.toTree(GatewayConfig.DEFAULTS);
        gateway.remove("apps");
        tree.put("gateway", gateway);
        tree.put("apps", new ArrayList<>()); // none: the development app (completeApps)
        Map<String, Object> redis = RecordMapping.toTree(RedisClusterSettings.of("redis://localhost"));
        redis.put("uri", null); // none: a single gateway process
        redis.put("leaseRefresh", "auto"); // a third of leaseTtl, whatever it is
        tree.put("redis", redis);
        return tree;
    }

    /** The default of {@code path} as an operator would type it (for {@code --help}), or null for a list. */
    static String defaultText(String path) {
        Object text = Trees.get(defaults(), SettingPath.segments(path));
        return text instanceof String s ? s : null;
    }

    private static String text(String path, Object value) {
        return (String) ((Shape.Leaf) SHAPE.members().get(path)).kind().write(value);
    }

    // ---- the sources ------------------------------------------------------------------------------------------

    private static void applyFile(Map<String, Object> tree, Map<String, Source> sources, Path file) {
        YamlFile.Contents contents;
        try (Reader reader = Files.newBufferedReader(file)) {
            contents = YamlFile.read(reader);
        } catch (NoSuchFileException e) {
            throw new Invalid("--config " + file + ": no such file");
        } catch (IOException e) {
            throw new Invalid("--config " + file + ": cannot read it: " + e.getMessage());
        } catch (IllegalArgumentException e) { // not YAML, a key given twice
            throw new Invalid("in " + file + " " + e.getMessage());
        }
        Map<String, Source> lines = new HashMap<>();
        contents.lines().forEach((path, line) -> lines.put(path, new Source(file + " line " + line, Source.Type.FILE)));
        // Every value, list and list item the file gives is the file's; a group's line is not its members' (a
        // member the file leaves out keeps its default).
        Map<String, Source> given = new HashMap<>(lines);
        given.keySet().removeIf(path -> {
            List<Object> segments = SettingPath.segments(path);
            return Trees.shapeAt(SHAPE, segments) instanceof Shape.Group
                    && !(segments.get(segments.size() - 1) instanceof Integer);
        });
        Source whole = new Source(file.toString(), Source.Type.FILE);
        @SuppressWarnings("unchecked")
        Map<String, Object> checked =
                (Map<String, Object>) checked(SHAPE, contents.tree(), "", path -> lines.getOrDefault(path, whole));
        Trees.merge(tree, checked);
        sources.putAll(given);
    }

    private static void applyEnvironment(
            Map<String, Object> tree, Map<String, Source> sources, Map<String, String> environment) {
        // Resolved first, then set in path order, so that apps[0] is made before apps[1] (and 2 before 10).
        Map<List<Object>, String> byPath = new TreeMap<>(ServeSettings::comparePaths);
        for (Map.Entry<String, String> variable : new TreeMap<>(environment).entrySet()) {
            String name = variable.getKey();
            if (!name.startsWith("THRONG_") || NOT_SETTINGS.contains(name)) {
                continue;
            }
            List<Object> segments = environmentPath(name);
            if (segments == null) {
                continue;
            }
            String other = byPath.put(segments, name);
            if (other != null) {
                throw new Invalid(SettingPath.text(segments) + " from " + name + ": also set by " + other);
            }
        }
        byPath.forEach((segments, name) -> {
            String path = SettingPath.text(segments);
            Source source = new Source(name, Source.Type.ENVIRONMENT);
            Kind kind = ((Shape.Leaf) Trees.shapeAt(SHAPE, segments)).kind();
            String value = environment.get(name);
            set(tree, sources, segments, kind.isCollection() ? split(value) : value, source);
        });
    }

    /**
     * The setting {@code THRONG_…} names: the path in upper snake case, {@code _} between segments and words
     * ({@code THRONG_LIMITS_MAX_FRAME_SIZE}, {@code THRONG_APPS_0_WEBHOOKS_1_URL}; {@code THRONG_APP_} for
     * {@code THRONG_APPS_0_}); null for a variable that is no setting of ours, unless it starts like one.
     *
     * @throws Invalid for a name that starts with a group's name but names no setting (a typo)
     */
    static List<Object> environmentPath(String name) {
        String rest = name.substring("THRONG_".length());
        if (rest.startsWith(SINGLE_APP)) {
            rest = "APPS_0_" + rest.substring(SINGLE_APP.length());
        }
        List<Object> segments = match(SHAPE, rest);
        if (segments != null) {
            return segments;
        }
        for (String member : SHAPE.members().keySet()) {
            if (rest.equals(upperSnake(member)) || rest.startsWith(upperSnake(member) + "_")) {
                throw new Invalid(name + ": no such setting (" + upperSnake(member) + " settings are "
                        + String.join(", ", environmentNames(member)) + ")");
            }
        }
        return null;
    }

    private static List<String> environmentNames(String member) {
        List<String> names = new ArrayList<>();
        for (String path : Shape.leafPaths(
                new Shape.Group(null, Map.of(member, SHAPE.members().get(member))))) {
            names.add(environmentName(path));
        }
        return names;
    }

    /** {@code THRONG_LIMITS_MAX_FRAME_SIZE} for {@code limits.maxFrameSize}; {@code apps[]} is {@code APPS_<n>}. */
    static String environmentName(String path) {
        StringBuilder name = new StringBuilder("THRONG");
        for (String part : path.split("\\.")) {
            name.append('_').append(upperSnake(part.replace("[]", ""))).append(part.endsWith("[]") ? "_<n>" : "");
        }
        return name.toString();
    }

    private static List<Object> match(Shape shape, String rest) {
        if (shape instanceof Shape.Leaf) {
            return rest.isEmpty() ? new ArrayList<>() : null;
        }
        if (shape instanceof Shape.Items items) {
            int end = rest.indexOf('_');
            String index = end < 0 ? rest : rest.substring(0, end);
            if (index.isEmpty() || !index.chars().allMatch(Character::isDigit) || index.length() > 6) {
                return null;
            }
            List<Object> tail = match(items.element(), end < 0 ? "" : rest.substring(end + 1));
            if (tail != null) {
                tail.add(0, Integer.parseInt(index));
            }
            return tail;
        }
        for (Map.Entry<String, Shape> member : ((Shape.Group) shape).members().entrySet()) {
            String snake = upperSnake(member.getKey());
            if (rest.equals(snake) || rest.startsWith(snake + "_")) {
                List<Object> tail =
                        match(member.getValue(), rest.substring(Math.min(rest.length(), snake.length() + 1)));
                if (tail != null) {
                    tail.add(0, member.getKey());
                    return tail;
                }
            }
        }
        return null;
    }

    /** {@code maxFrameSize} to {@code MAX_FRAME_SIZE}. */
    static String upperSnake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }

    private static List<String> split(String value) {
        List<String> values = new ArrayList<>();
        for (String part : value.split(",")) {
            if (!part.isBlank()) {
                values.add(part.trim());
            }
        }
        return values;
    }

    private static void applyFlags(Map<String, Object> tree, Map<String, Source> sources, List<Flag> flags) {
        Map<String, String> given = new HashMap<>();
        for (Flag flag : flags) {
            List<Object> segments;
            try {
                segments = SettingPath.segments(flag.path());
            } catch (IllegalArgumentException e) {
                throw new Invalid(flag.flag() + " " + flag.path() + ": " + e.getMessage());
            }
            String path = SettingPath.text(segments);
            Shape shape = Trees.shapeAt(SHAPE, segments);
            if (!(shape instanceof Shape.Leaf leaf)) {
                throw new Invalid(flag.flag() + " " + flag.path() + ": "
                        + (shape == null ? "no such setting" : "a group of settings, not one setting")
                        + " (settings are named as in --print-config: "
                        + "limits.maxFrameSize, apps[0].key)");
            }
            String other = given.put(path, flag.flag());
            if (other != null) {
                throw new Invalid(path + " from " + flag.flag() + ": also given by " + other);
            }
            Object text = flag.text();
            if (leaf.kind().isCollection() && text instanceof String s) {
                text = split(s);
            }
            set(tree, sources, segments, text, new Source(flag.flag(), Source.Type.FLAG));
        }
    }

    /** Checks {@code text} for the setting at {@code segments}, sets it, and notes where it came from. */
    private static void set(
            Map<String, Object> tree, Map<String, Source> sources, List<Object> segments, Object text, Source source) {
        String path = SettingPath.text(segments);
        Object checked = checked(Trees.shapeAt(SHAPE, segments), text, path, p -> source);
        for (int n = 1; n < segments.size(); n++) { // a list item this makes comes from here too
            List<Object> item = segments.subList(0, n);
            if (segments.get(n - 1) instanceof Integer && Trees.get(tree, item) == null) {
                sources.put(SettingPath.text(item), source);
            }
        }
        try {
            Trees.put(tree, segments, checked);
        } catch (IllegalArgumentException e) { // an index beyond the next item of a list
            throw new Invalid(source.describe(path, e.getMessage()));
        }
        sources.put(path, source);
    }

    /**
     * {@code node} checked against {@code shape}: no member the shape lacks, lists and groups where they belong, and
     * every value parses; returned with each list of strings as a list (a single value becomes a list of one).
     *
     * @throws Invalid naming the first problem and its source
     */
    private static Object checked(
            Shape shape, Object node, String path, java.util.function.Function<String, Source> sourceOf) {
        try {
            if (node == null) {
                return null;
            }
            if (shape instanceof Shape.Group group) {
                if (!(node instanceof Map<?, ?> map)) {
                    throw new SettingException(
                            path,
                            "expected a group of settings ("
                                    + String.join(", ", group.members().keySet()) + ")");
                }
                Map<String, Object> out = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    String name = (String) e.getKey();
                    String child = SettingPath.child(path, name);
                    Shape member = group.members().get(name);
                    if (member == null) {
                        throw new SettingException(
                                child,
                                "unknown setting; " + (path.isEmpty() ? "the settings are" : path + " has") + " "
                                        + String.join(", ", group.members().keySet()));
                    }
                    out.put(name, checked(member, e.getValue(), child, sourceOf));
                }
                return out;
            }
            if (shape instanceof Shape.Items items) {
                if (!(node instanceof List<?> list)) {
                    throw new SettingException(path, "expected a list");
                }
                List<Object> out = new ArrayList<>();
                for (int i = 0; i < list.size(); i++) {
                    if (list.get(i) == null) {
                        throw new SettingException(path + "[" + i + "]", "an empty item");
                    }
                    out.add(checked(items.element(), list.get(i), path + "[" + i + "]", sourceOf));
                }
                return out;
            }
            Kind kind = ((Shape.Leaf) shape).kind();
            Object text = kind.isCollection() && node instanceof String s ? List.of(s) : node;
            RecordMapping.bind(shape, text, path); // parses, or says why not
            return text instanceof List<?> l ? new ArrayList<>(l) : text;
        } catch (SettingException e) {
            throw new Invalid(
                    sourceOf.apply(e.paths().get(0)).describe(e.paths().get(0), e.problem()));
        }
    }

    /** Each app over an app's defaults (enabled, no quota, Pusher's limits); no app: the development app. */
    private static void completeApps(Map<String, Object> tree) {
        @SuppressWarnings("unchecked")
        List<Object> apps = (List<Object>) tree.get("apps");
        if (apps == null || apps.isEmpty()) {
            tree.put("apps", new ArrayList<>(List.of(RecordMapping.toTree(App.development()))));
            return;
        }
        Map<String, Object> defaults = RecordMapping.toTree(App.of("id", "key", "secret", false));
        defaults.keySet().removeAll(Set.of("id", "key", "secret")); // these have no defaults
        for (int i = 0; i < apps.size(); i++) {
            if (apps.get(i) instanceof Map<?, ?> given) {
                Map<String, Object> app = Trees.copy(defaults);
                @SuppressWarnings("unchecked")
                Map<String, Object> over = (Map<String, Object>) given;
                Trees.merge(app, over);
                apps.set(i, app);
            }
        }
    }

    // ---- what the settings say --------------------------------------------------------------------------------

    Mode mode() {
        return (Mode) value("mode");
    }

    Duration drainWindow() {
        return (Duration) value("drainWindow");
    }

    /** The gateway's configuration: its settings and its apps. */
    GatewayConfig gateway() {
        return gateway;
    }

    /** How the gateway joins a cluster on Redis, or null for a gateway on its own ({@code redis.uri} not given). */
    RedisClusterSettings redis() {
        return redis;
    }

    /**
     * How many server processes run under an open-files limit of {@code openFiles}: {@code workers}, or for
     * {@code auto} the fewest whose caps fit the limit ({@link WorkerPlan#workerCount}).
     *
     * @throws Invalid when no number of workers fits, or for more than one in gateway mode without Redis
     */
    int workerCount(long openFiles) {
        int workers = (int) value("workers");
        int total = (int) value("admission.maxConnections");
        int count;
        if (workers > 0) {
            count = workers;
        } else {
            count = WorkerSizing.workersFor(total, openFiles)
                    .orElseThrow(() -> invalid(
                            "workers",
                            "auto: no number of workers holds " + total
                                    + " connections (admission.maxConnections) under an " + "open-files limit of "
                                    + openFiles));
        }
        if (count > 1 && mode() == Mode.GATEWAY && redis == null) {
            throw invalid(
                    "workers",
                    (workers == 0 ? "auto comes to " + count + " workers, but " : "")
                            + "the gateway's workers need Redis to share their channels: without it a publication on one worker "
                            + "would not reach the clients of the others (give --redis redis://host:port, run one process, or "
                            + "--mode echo)");
        }
        return count;
    }

    /**
     * The configuration of one server process when {@code workers} processes share the load under an open-files
     * limit of {@code openFiles} each: its share of the connection cap (with a margin, WorkerSizing) and of the
     * handshake rate, one I/O thread per core it has ({@code auto}), the memory budget for its largest message
     * ({@code auto}), and SO_REUSEPORT when it shares the port.
     *
     * @throws Invalid naming the setting ServerConfig refuses and its source
     */
    ServerConfig serverConfig(int workers, long openFiles) {
        Map<String, Object> engine = new LinkedHashMap<>();
        ENGINE.members().keySet().forEach(name -> engine.put(name, Trees.copy(tree.get(name))));
        if ((int) value("listen.ioThreads") == 0) {
            put(
                    engine,
                    "listen.ioThreads",
                    Integer.toString(Math.max(1, Runtime.getRuntime().availableProcessors() / workers)));
        }
        if ((long) value("limits.memoryBudget") == 0) {
            put(engine, "limits.memoryBudget", Long.toString(WorkerPlan.memoryBudget(maxMessageSize())));
        }
        put(
                engine,
                "admission.maxConnections",
                Integer.toString(WorkerPlan.workerCap((int) value("admission.maxConnections"), workers, openFiles)));
        put(
                engine,
                "admission.handshakesPerSecond",
                Integer.toString(share((int) value("admission.handshakesPerSecond"), workers)));
        if (workers > 1) {
            put(engine, "listen.reusePort", "true");
        }
        try {
            return (ServerConfig) RecordMapping.bind(ENGINE, engine, "");
        } catch (SettingException e) {
            throw invalid(e);
        }
    }

    private static void put(Map<String, Object> tree, String path, String text) {
        Trees.put(tree, SettingPath.segments(path), text);
    }

    private int maxMessageSize() {
        return (int) value("limits.maxMessageSize");
    }

    private static int share(int total, int workers) {
        return total == 0 ? 0 : Math.max(1, (total + workers - 1) / workers);
    }

    /**
     * The effective configuration as YAML, as {@code --config} reads it back: every setting (apps completed with
     * their defaults), values normalised ({@code 1m}, {@code 30s}), secrets masked.
     */
    String yaml() {
        Map<String, Object> shown = normalised(SHAPE, tree);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> apps = (List<Map<String, Object>>) shown.get("apps");
        apps.forEach(app -> app.put("secret", "***"));
        if (redis != null) {
            castMap(shown.get("redis")).put("uri", redis.maskedUri()); // a password in it
        }
        return YamlFile.write(shown, SHAPE);
    }

    @SuppressWarnings("unchecked")
    private static <T> T normalised(Shape shape, T node) {
        if (node == null) {
            return null;
        }
        if (shape instanceof Shape.Group group) {
            Map<String, Object> out = new LinkedHashMap<>();
            ((Map<String, Object>) node)
                    .forEach((name, value) ->
                            out.put(name, normalised(group.members().get(name), value)));
            return (T) out;
        }
        if (shape instanceof Shape.Items items) {
            List<Object> out = new ArrayList<>();
            ((List<Object>) node).forEach(element -> out.add(normalised(items.element(), element)));
            return (T) out;
        }
        return (T) ((Shape.Leaf) shape).kind().normalise(node);
    }

    // ---- checks -----------------------------------------------------------------------------------------------

    private GatewayConfig bindGateway() {
        List<?> apps = (List<?>) tree.get("apps");
        for (int i = 0; i < apps.size(); i++) {
            for (String credential : List.of("id", "key", "secret")) {
                if (((Map<?, ?>) apps.get(i)).get(credential) == null) {
                    throw invalid(
                            "apps[" + i + "]." + credential, "missing: every app needs an id, a key and a " + "secret");
                }
            }
        }
        Map<String, Object> gatewayTree = Trees.copy(castMap(tree.get("gateway")));
        gatewayTree.put("apps", Trees.copy(tree.get("apps")));
        try {
            GatewayConfig config = (GatewayConfig) RecordMapping.bind(GATEWAY, gatewayTree, "");
            new Apps(config.apps()); // two apps with one key or id
            return config;
        } catch (SettingException e) {
            List<String> paths = new ArrayList<>();
            e.paths().forEach(p -> paths.add(p.startsWith("apps") ? p : "gateway." + p));
            throw invalid(new SettingException(paths, e.problem()));
        } catch (IllegalArgumentException e) {
            throw invalid("apps", e.getMessage().replaceFirst("^apps: ", ""));
        }
    }

    /**
     * The cluster's settings, when {@code redis.uri} is given (a blank one is none, so that a variable or flag can
     * take away the file's): {@code leaseRefresh} auto becomes a third of the lease TTL, and RedisClusterSettings
     * checks the rest. Refused in echo mode, which has nothing to share.
     */
    private RedisClusterSettings bindRedis() {
        Map<String, Object> redisTree = Trees.copy(castMap(tree.get("redis")));
        Object uri = redisTree.get("uri");
        if (uri == null || ((String) uri).isBlank()) {
            return null;
        }
        if (mode() == Mode.ECHO) {
            throw invalid(
                    "redis.uri",
                    "echo mode has nothing to share through Redis: a cluster node is the "
                            + "gateway's (--mode gateway)");
        }
        if (((Duration) value("redis.leaseRefresh")).isZero()) {
            redisTree.put("leaseRefresh", Values.formatDuration(((Duration) value("redis.leaseTtl")).dividedBy(3)));
        }
        try {
            return (RedisClusterSettings) RecordMapping.bind(Shape.of(RedisClusterSettings.class), redisTree, "redis");
        } catch (SettingException e) {
            throw invalid(e);
        }
    }

    /**
     * What ServerConfig cannot check, because these values mean more here: totals split over workers, automatic
     * counts, and the drain window, which is the process's.
     */
    private void checkServeValues() {
        check((int) value("workers") >= 0, "workers", "must be at least 1, or auto");
        check(
                (int) value("admission.maxConnections") >= 0,
                "admission.maxConnections",
                "must be >= 0 (0: no cap), got " + value("admission.maxConnections"));
        check(
                (int) value("admission.handshakesPerSecond") >= 0,
                "admission.handshakesPerSecond",
                "must be >= 0 (0: no limit), got " + value("admission.handshakesPerSecond"));
        check(
                (int) value("listen.ioThreads") >= 0,
                "listen.ioThreads",
                "must be >= 0 (0 or auto: one per core, shared by the workers), got " + value("listen.ioThreads"));
        check(
                !drainWindow().isNegative(),
                "drainWindow",
                "must not be negative, got " + Values.formatDuration(drainWindow()));
        long budget = (long) value("limits.memoryBudget");
        long largestFrame = ServerConfig.Limits.compressedSizeBound((int) value("limits.maxFrameSize"));
        if (budget != 0 && budget < largestFrame) {
            // Told against whichever of the two was given: that is the one to change.
            throw invalid(new SettingException(
                    List.of("limits.memoryBudget", "limits.maxFrameSize"),
                    "limits.memoryBudget " + SizeConverter.format(budget)
                            + " cannot hold the largest frame limits.maxFrameSize allows (" + largestFrame
                            + " B compressed); give"
                            + " at least that, or auto"));
        }
    }

    private void check(boolean ok, String path, String problem) {
        if (!ok) {
            throw invalid(path, problem);
        }
    }

    /** The value at {@code path}, parsed (it was checked when it was read). */
    Object value(String path) {
        List<Object> segments = SettingPath.segments(path);
        try {
            return RecordMapping.bind(Trees.shapeAt(SHAPE, segments), Trees.get(tree, segments), path);
        } catch (SettingException e) {
            throw invalid(e);
        }
    }

    /** Where the value at {@code path} came from. */
    Source source(String path) {
        List<Object> segments = SettingPath.segments(path);
        for (int n = segments.size(); n > 0; n--) {
            Source source = sources.get(SettingPath.text(segments.subList(0, n)));
            if (source != null) {
                return source;
            }
        }
        return Source.DEFAULT;
    }

    private Invalid invalid(String path, String problem) {
        return new Invalid(source(path).describe(path, problem));
    }

    /**
     * The refusal of a record, told against the first setting it names that was given (not a default), with the
     * setting's path taken off the front of the problem when the problem starts with it.
     */
    private Invalid invalid(SettingException e) {
        String path = e.paths().stream()
                .filter(p -> source(p).type() != Source.Type.DEFAULT)
                .findFirst()
                .orElse(e.paths().get(0));
        String problem = e.problem();
        List<String> forms = List.of(
                path,
                path.replaceAll("\\[\\d+]", ""),
                path.substring(path.lastIndexOf('.') + 1),
                path.replace('.', ' ')); // RedisClusterSettings says "redis leaseTtl must ..."
        for (String form : forms) {
            if (problem.startsWith(form + " must ")) {
                problem = problem.substring(form.length() + 1);
                break;
            }
        }
        return new Invalid(source(path).describe(path, problem));
    }

    private static int comparePaths(List<Object> a, List<Object> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            Object x = a.get(i);
            Object y = b.get(i);
            int c = x instanceof Integer xi && y instanceof Integer yi
                    ? Integer.compare(xi, yi)
                    : String.valueOf(x).compareTo(String.valueOf(y));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object node) {
        return node == null ? new LinkedHashMap<>() : (Map<String, Object>) node;
    }
}
