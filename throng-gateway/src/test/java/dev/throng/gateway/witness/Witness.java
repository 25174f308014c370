package dev.throng.gateway.witness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.throng.core.test.NodeWitness;
import dev.throng.gateway.Gateway;
import dev.throng.gateway.app.App;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the Node witnesses of {@code src/test/node} (pusher-js, the pusher server SDK, Node's ws; installed by the
 * build's {@code npm ci}) against a gateway, and hands back what they saw as JSON.
 *
 * <pre>
 * Witness witness = new Witness(gateway, Map.of("main", MAIN));
 * JsonNode seen = witness.run("channels.js", "presence");
 * assertThat(seen.path("members").path("count").asInt()).isEqualTo(2);
 * </pre>
 *
 * <p>A scenario is {@code node SCRIPT '<config JSON>' SCENARIO}; the config carries the gateway's port, the apps by the
 * names the scripts use ({id, key, secret}), the encryption master key of encrypted channels, the scenario's time
 * limit and whatever else the test adds. A scenario that never sees what it waits for fails the test with its step.
 */
final class Witness {
    static final ObjectMapper JSON = new ObjectMapper();
    /** The master key of encrypted channels (32 bytes, base64): the SDK derives each channel's shared secret. */
    static final String MASTER_KEY = "dGhyb25nLXdpdG5lc3Nlcy1tYXN0ZXIta2V5LTMyYiE=";
    /** A scenario's own limit (Node); the test's is a little longer, so Node reports which step hung. */
    static final Duration SCENARIO_LIMIT = Duration.ofSeconds(20);

    private final Gateway gateway;
    private final Map<String, App> apps;

    Witness(Gateway gateway, Map<String, App> apps) {
        this.gateway = gateway;
        this.apps = Map.copyOf(apps);
    }

    /** Runs {@code scenario} of {@code script}. */
    JsonNode run(String script, String scenario) throws Exception {
        return run(script, scenario, Map.of());
    }

    /** Runs {@code scenario} of {@code script} with {@code extra} in its config. */
    JsonNode run(String script, String scenario, Map<String, ?> extra) throws Exception {
        return run(script, scenario, extra, SCENARIO_LIMIT);
    }

    /** Runs {@code scenario} of {@code script} with {@code extra} in its config, for at most {@code limit}. */
    JsonNode run(String script, String scenario, Map<String, ?> extra, Duration limit) throws Exception {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("port", gateway.server().port());
        Map<String, Object> byName = new LinkedHashMap<>();
        apps.forEach((name, app) -> byName.put(name, Map.of("id", app.id(), "key", app.key(), "secret", app.secret())));
        config.put("apps", byName);
        config.put("masterKey", MASTER_KEY);
        config.put("timeoutMs", limit.toMillis());
        config.putAll(extra);
        Map<String, Object> result = NodeWitness.runScript(
                NodeWitness.scriptDir(),
                script,
                limit.plusSeconds(10),
                List.of(JSON.writeValueAsString(config), scenario));
        return JSON.valueToTree(result);
    }

    /** The JSON text a JSON string value holds (pusher's double encoding). */
    static JsonNode parse(String json) throws Exception {
        return JSON.readTree(json);
    }
}
