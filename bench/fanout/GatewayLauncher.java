// STOPGAP LAUNCHER, for bench/fanout-run.sh only: starts Throng's Pusher gateway (throng-gateway's Gateway, the
// development app app-id/app-key/app-secret) in one process, because `throng serve` cannot run the gateway yet (the
// `--mode gateway` flag is another branch's work). Once `throng serve --help` lists --mode, fanout-run.sh uses
// `throng serve --mode gateway` instead and this file can go.
//
// fanout-run.sh compiles it (javac -d throng-gateway/target/fanout-launcher) and runs it with the gateway's class path:
//   java [serve's JVM flags] -cp "throng-gateway/target/fanout-launcher:$GATEWAY_CLASSPATH" GatewayLauncher [PORT]
// (As a single-file source program it runs too, but javac would then sit in the server's memory.)
// Environment: HOST (127.0.0.1: this box serves loopback only), IO_THREADS (event loops; default one per core, as
// `throng serve`), MAX_CONNECTIONS (0: no cap but the open-files limit).
// Prints `ready pid=<pid> port=<port>` once listening, like the reference peers; serves until SIGTERM or SIGINT.

import dev.throng.core.ServerConfig;
import dev.throng.gateway.Gateway;
import dev.throng.gateway.GatewayConfig;

import java.util.concurrent.CountDownLatch;

public final class GatewayLauncher {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args.length > 0 ? args[0] : System.getenv().getOrDefault("PORT", "6001"));
        String host = System.getenv().getOrDefault("HOST", "127.0.0.1");
        int ioThreads = Integer.parseInt(System.getenv().getOrDefault("IO_THREADS",
            Integer.toString(Runtime.getRuntime().availableProcessors())));
        int maxConnections = Integer.parseInt(System.getenv().getOrDefault("MAX_CONNECTIONS", "0"));
        Gateway gateway = Gateway.start(ServerConfig.builder().host(host).port(port).ioThreads(ioThreads)
            .maxConnections(maxConnections).build(), GatewayConfig.DEFAULTS);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.close();
            stopped.countDown();
        }, "gateway-launcher-stop"));
        System.out.println("ready pid=" + ProcessHandle.current().pid() + " port=" + gateway.server().port());
        System.out.flush();
        stopped.await();
    }
}
