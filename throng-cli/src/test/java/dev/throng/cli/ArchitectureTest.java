package dev.throng.cli;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The arrows between modules and packages, as docs/design.md draws them ("Modules and packages"), held by the build.
 * The CLI's tests see every module (throng-redis as a test dependency for this test alone), so the rules live here;
 * they read the production classes only, not the test jars. A rule that fails names the class and the dependency that
 * broke it: move the code to the side of the arrow it belongs on, or, if the arrow itself is wrong, change it here and
 * in the picture together.
 */
@AnalyzeClasses(
        packages = "dev.throng",
        importOptions = {ImportOption.DoNotIncludeTests.class, ArchitectureTest.NoTestJars.class})
class ArchitectureTest {

    /** The engine's public API: its top-level package. Everything below it is the engine's own. */
    private static final String CORE_API = "dev.throng.core";

    private static final String[] CORE_INSIDES = {
        "dev.throng.core.codec..",
        "dev.throng.core.handshake..",
        "dev.throng.core.transport..",
        "dev.throng.core.internal.."
    };

    // ---- inside the engine: codec <- handshake <- transport; the public API in dev.throng.core ------------------

    /** Bytes in, verdict out: no channel, no logging, nothing of the engine above it. */
    @ArchTest
    static final ArchRule theCodecDependsOnNothingOfTheServer = noClasses()
            .that()
            .resideInAPackage("dev.throng.core.codec..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    CORE_API,
                    "dev.throng.core.handshake..",
                    "dev.throng.core.transport..",
                    "dev.throng.core.internal..",
                    "io.netty.channel..",
                    "org.slf4j..");

    /** Judges a request and negotiates, from the codec and the public API; it does not know sockets or loops. */
    @ArchTest
    static final ArchRule theHandshakeUsesOnlyTheCodecAndTheApi = noClasses()
            .that()
            .resideInAPackage("dev.throng.core.handshake..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.throng.core.transport..", "dev.throng.core.internal..", "io.netty.channel..");

    /**
     * What applications program against knows nothing of how it is served: no transport (the transport is found
     * through {@code ServerProvider}), no handshake, no per-loop internals.
     */
    @ArchTest
    static final ArchRule theApiKnowsNoTransport = noClasses()
            .that()
            .resideInAPackage(CORE_API)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "dev.throng.core.transport..", "dev.throng.core.handshake..", "dev.throng.core.internal..");

    /** Per-loop building blocks (wheel, queues, budget, counters) used by the transport, not using it. */
    @ArchTest
    static final ArchRule theInternalsKnowNoTransport = noClasses()
            .that()
            .resideInAPackage("dev.throng.core.internal..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.throng.core.transport..", "dev.throng.core.handshake..");

    /** Applications (the gateway, the cluster, the CLI) use the engine through its public API only. */
    @ArchTest
    static final ArchRule everythingElseUsesTheEnginesApiOnly = noClasses()
            .that()
            .resideOutsideOfPackage("dev.throng.core..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(CORE_INSIDES);

    // ---- between modules ----------------------------------------------------------------------------------------

    /** The engine knows nothing of what is built on it, nor of JSON, metrics libraries or Redis. */
    @ArchTest
    static final ArchRule theEngineKnowsNoApplication = noClasses()
            .that()
            .resideInAPackage("dev.throng.core..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "dev.throng.gateway..",
                    "dev.throng.redis..",
                    "dev.throng.cli..",
                    "dev.throng.bench..",
                    "dev.throng.doctor..",
                    "com.fasterxml.jackson..",
                    "io.micrometer..",
                    "io.lettuce..");

    /** The gateway stands on the engine, the cluster on the gateway; never the reverse. */
    @ArchTest
    static final ArchRule theGatewayKnowsNoClusterBackendOrFrontEnd = noClasses()
            .that()
            .resideInAPackage("dev.throng.gateway..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "dev.throng.redis..",
                    "dev.throng.cli..",
                    "dev.throng.bench..",
                    "dev.throng.doctor..",
                    "io.lettuce..");

    /**
     * The Redis backend implements the gateway's broker SPI: {@code broker}, and the types its methods speak
     * ({@code app}: the apps; {@code metrics}: what {@code Broker.start} is handed). Not the hub that calls it, not
     * the protocol, HTTP or webhooks, and of the engine its public API only.
     */
    @ArchTest
    static final ArchRule theRedisBackendUsesTheBrokerSpiOnly = noClasses()
            .that()
            .resideInAPackage("dev.throng.redis..")
            .should()
            .dependOnClassesThat(resideInAPackage("dev.throng..")
                    .and(DescribedPredicate.not(resideInAnyPackage(
                            "dev.throng.redis..",
                            "dev.throng.gateway.broker..",
                            "dev.throng.gateway.app..",
                            "dev.throng.gateway.metrics..",
                            CORE_API))))
            .as("no classes that reside in a package 'dev.throng.redis..' should depend on Throng's classes other than"
                    + " the gateway's broker SPI (broker, app, metrics) and the engine's public API");

    /** Lettuce lives in the Redis backend only. */
    @ArchTest
    static final ArchRule onlyTheRedisBackendUsesLettuce = noClasses()
            .that()
            .resideOutsideOfPackage("dev.throng.redis..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.lettuce..");

    /**
     * The load generator measures servers from outside: nothing of Throng's server side. It does use the preflight
     * (throng-doctor), to read its own open-files limit through the one reader of it.
     */
    @ArchTest
    static final ArchRule theLoadGeneratorUsesNothingOfTheServer = noClasses()
            .that()
            .resideInAPackage("dev.throng.bench..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.throng.core..", "dev.throng.gateway..", "dev.throng.redis..", "dev.throng.cli..");

    /** The preflight reads the OS; the server's sizing asks it, not the other way round. */
    @ArchTest
    static final ArchRule theDoctorUsesNothingOfTheServer = noClasses()
            .that()
            .resideInAPackage("dev.throng.doctor..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "dev.throng.core..",
                    "dev.throng.gateway..",
                    "dev.throng.redis..",
                    "dev.throng.cli..",
                    "dev.throng.bench..");

    /**
     * The CLI assembles the modules through what each offers: the engine's API (above), the gateway's entry point, its
     * apps and its broker SPI (to plug a backend in), the load generator's settings and coordinator, the preflight.
     * Not the gateway's hub, protocol, HTTP, auth, webhooks or metrics, nor the load generator's clients and workers.
     */
    @ArchTest
    static final ArchRule theCliUsesThePublicSideOfEachModule = noClasses()
            .that()
            .resideInAPackage("dev.throng.cli..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "dev.throng.gateway.hub..",
                    "dev.throng.gateway.http..",
                    "dev.throng.gateway.protocol..",
                    "dev.throng.gateway.auth..",
                    "dev.throng.gateway.webhook..",
                    "dev.throng.gateway.metrics..",
                    "dev.throng.bench.client..",
                    "dev.throng.bench.protocol..",
                    "dev.throng.bench.pusher..",
                    "dev.throng.bench.worker..",
                    "dev.throng.bench.os..");

    // ---- inside the gateway -------------------------------------------------------------------------------------

    /** The protocol's rules and the signatures are pure: no hub, broker, HTTP, webhook delivery, nor the engine. */
    @ArchTest
    static final ArchRule theProtocolAndSignaturesAreLeaves = noClasses()
            .that()
            .resideInAnyPackage("dev.throng.gateway.protocol..", "dev.throng.gateway.auth..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "dev.throng.gateway.hub..",
                    "dev.throng.gateway.http..",
                    "dev.throng.gateway.broker..",
                    "dev.throng.gateway.webhook..",
                    "dev.throng.gateway.metrics..",
                    "dev.throng.core..");

    /** The broker SPI is what a backend implements: it must not reach into the hub that calls it. */
    @ArchTest
    static final ArchRule theBrokerSpiKnowsNoHub = noClasses()
            .that()
            .resideInAPackage("dev.throng.gateway.broker..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "dev.throng.gateway.hub..", "dev.throng.gateway.http..", "dev.throng.gateway.webhook..");

    // ---- no package cycles, in any module ---------------------------------------------------------------------

    /** Each package is a slice ({@code core}, {@code core.codec}, {@code gateway.hub}, ...); none is in a cycle. */
    @ArchTest
    static final ArchRule noPackageIsInACycle =
            slices().matching("dev.throng.(**)").should().beFreeOfCycles();

    /** Reads the production classes only: the test jars (throng-core's) hold test helpers, not modules. */
    static final class NoTestJars implements ImportOption {
        @Override
        public boolean includes(Location location) {
            return !location.contains("-tests.jar");
        }
    }
}
