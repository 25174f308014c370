package dev.throng.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChannelTypeTest {

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
        "my-channel, PUBLIC",
        "'', PUBLIC",
        "private-foobar, PRIVATE",
        "private-, PRIVATE",
        "private-encrypted-foo, PRIVATE_ENCRYPTED",
        "private-encrypted-cache-foo, PRIVATE_ENCRYPTED_CACHE",
        "private-cache-foo, PRIVATE_CACHE",
        "private-cache, PRIVATE",
        "private-encrypted, PRIVATE",
        "private-encryptedfoo, PRIVATE",
        "presence-foobar, PRESENCE",
        "presence-cache-foo, PRESENCE_CACHE",
        "presence-cachefoo, PRESENCE",
        "cache-foo, CACHE",
        "cachefoo, PUBLIC",
        "#server-to-user-12345, SERVER_TO_USER",
        "#server-to-user, PUBLIC",
        "foo-private-x, PUBLIC",
        "Private-foo, PUBLIC",
        "presence, PUBLIC",
        "client-x, PUBLIC",
    })
    void tellsTheTypeByThePrefixAtTheStartLongestFirst(String name, ChannelType type) {
        assertThat(ChannelType.of(name)).isEqualTo(type);
    }

    @ParameterizedTest(name = "{0}: signature {1}, presence {2}, cache {3}, encrypted {4}, client events {5}")
    @CsvSource({
        "PUBLIC,                  false, false, false, false, false",
        "PRIVATE,                 true,  false, false, false, true",
        "PRIVATE_ENCRYPTED,       true,  false, false, true,  false",
        "PRESENCE,                true,  true,  false, false, true",
        "CACHE,                   false, false, true,  false, false",
        "PRIVATE_CACHE,           true,  false, true,  false, true",
        "PRIVATE_ENCRYPTED_CACHE, true,  false, true,  true,  false",
        "PRESENCE_CACHE,          true,  true,  true,  false, true",
        "SERVER_TO_USER,          false, false, false, false, false",
    })
    void knowsWhatEachTypeRequiresAndAllows(
            ChannelType type,
            boolean signature,
            boolean presence,
            boolean cache,
            boolean encrypted,
            boolean clientEvents) {
        assertThat(type.requiresSignature()).as("requires a signature").isEqualTo(signature);
        assertThat(type.isPresence()).as("presence").isEqualTo(presence);
        assertThat(type.isCache()).as("cache").isEqualTo(cache);
        assertThat(type.isEncrypted()).as("encrypted").isEqualTo(encrypted);
        assertThat(type.allowsClientEvents()).as("client events").isEqualTo(clientEvents);
    }

    @ParameterizedTest
    @CsvSource({
        "PRIVATE",
        "PRIVATE_ENCRYPTED",
        "PRESENCE",
        "CACHE",
        "PRIVATE_CACHE",
        "PRIVATE_ENCRYPTED_CACHE",
        "PRESENCE_CACHE",
        "SERVER_TO_USER"
    })
    void recognisesANameMadeOfItsOwnPrefix(ChannelType type) {
        assertThat(ChannelType.of(type.prefix() + "x")).isEqualTo(type);
    }
}
