package dev.throng.core.footprint;

import dev.throng.core.EchoHandler;
import dev.throng.core.ServerConfig;
import dev.throng.core.ThrongServer;
import dev.throng.core.TransportKind;

/** A bare echo server for {@link ConnectionFootprintIT}, run in its own JVM so its heap holds only the server. */
public final class FootprintServerMain {
    private FootprintServerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ThrongServer server = ThrongServer.start(ServerConfig.builder().host("127.0.0.1").port(0)
            .transport(TransportKind.valueOf(args[0])).ioThreads(2).build(), new EchoHandler());
        System.out.println("PORT " + server.port());
        System.out.flush();
        server.awaitClose();
    }
}
