package dev.throng.gateway.footprint;

import dev.throng.core.ServerConfig;
import dev.throng.core.TransportKind;
import dev.throng.gateway.Gateway;
import dev.throng.gateway.GatewayConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * A gateway with the development app for {@link GatewayFootprintIT}, in its own JVM so its heap holds only the
 * server. Prints {@code PORT n}, then serves until its standard input ends.
 */
public final class GatewayFootprintMain {
    private GatewayFootprintMain() {}

    public static void main(String[] args) throws Exception {
        Gateway gateway = Gateway.start(
                ServerConfig.builder()
                        .host("127.0.0.1")
                        .port(0)
                        .transport(TransportKind.EPOLL)
                        .ioThreads(2)
                        .build(),
                GatewayConfig.DEFAULTS);
        System.out.println("PORT " + gateway.server().port());
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        gateway.close();
    }
}
