package dev.throng.redis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.throng.core.test.NodeWitness;
import dev.throng.gateway.app.App;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a scenario of {@code src/test/node/cluster.js} against several gateway nodes: {@code node cluster.js
 * '<config>' SCENARIO} in the gateway's witness folder (throng-gateway/src/test/node, where its {@code npm ci} installed
 * pusher-js and the pusher SDK: one copy of the witnesses for both modules). The config carries the nodes' ports, the
 * apps by the names the script uses, the control endpoint's port and whatever the test adds.
 */
final class ClusterWitness {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Path MODULE = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    /** The gateway's witness package (its lib, pusher-js, the pusher SDK, ws). */
    static final Path WITNESSES = MODULE.resolve(Path.of("..", "throng-gateway", "src", "test", "node"))
            .normalize();

    static final Path SCRIPT =
            MODULE.resolve(Path.of("src", "test", "node", "cluster.js")).toAbsolutePath();

    private final Map<String, App> apps;
    private final int controlPort;

    ClusterWitness(Map<String, App> apps, int controlPort) {
        this.apps = Map.copyOf(apps);
        this.controlPort = controlPort;
    }

    /** Runs {@code scenario} against the nodes listening on {@code ports}, for at most {@code limit}. */
    JsonNode run(String scenario, List<Integer> ports, Map<String, ?> extra, Duration limit) throws Exception {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("port", ports.get(0));
        config.put("ports", ports);
        Map<String, Object> byName = new LinkedHashMap<>();
        apps.forEach((name, app) -> byName.put(name, Map.of("id", app.id(), "key", app.key(), "secret", app.secret())));
        config.put("apps", byName);
        config.put("controlPort", controlPort);
        config.put("timeoutMs", limit.toMillis());
        config.putAll(extra);
        Map<String, Object> result = NodeWitness.runScript(
                WITNESSES,
                SCRIPT.toString(),
                limit.plusSeconds(10),
                List.of(JSON.writeValueAsString(config), scenario));
        return JSON.valueToTree(result);
    }
}
