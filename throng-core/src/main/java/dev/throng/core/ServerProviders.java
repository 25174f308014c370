package dev.throng.core;

import java.util.ServiceLoader;

/** The {@link ServerProvider} of this class path: looked up once, when the first server starts. */
final class ServerProviders {
    static final ServerProvider PROVIDER = ServiceLoader.load(
                    ServerProvider.class, ServerProvider.class.getClassLoader())
            .findFirst()
            .orElseThrow(
                    () -> new IllegalStateException(
                            "no " + ServerProvider.class.getName() + " on the class path:"
                                    + " throng-core's META-INF/services entry is missing (a fat jar built without merging service files?)"));

    private ServerProviders() {}
}
