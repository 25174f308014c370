package dev.throng.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventNamesTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "my-event",
                "App\\Events\\OrderShipped", // Laravel's event names, as Echo binds them
                ".OrderShipped",
                "client-typing",
                "has space and caf\u00e9",
                "pusher",
                "pusher_internal",
                "Pusher:upper-case-is-not-reserved",
            })
    void allowsTheRestApiAnyName(String name) {
        assertThat(EventNames.isValidForPublish(name, EventNames.DEFAULT_MAX_LENGTH))
                .isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "pusher:subscribe", "pusher:", "pusher_internal:member_added", "pusher_internal:"})
    void refusesEmptyNamesAndThePrefixesOnlyPusherSends(String name) {
        assertThat(EventNames.isValidForPublish(name, EventNames.DEFAULT_MAX_LENGTH))
                .isFalse();
    }

    @Test
    void refusesNull() {
        assertThat(EventNames.isValidForPublish(null, EventNames.DEFAULT_MAX_LENGTH))
                .isFalse();
    }

    @Test
    void allowsTheSdks200CharactersAndNoMore() {
        assertThat(EventNames.isValidForPublish("e".repeat(200), 200)).isTrue();
        assertThat(EventNames.isValidForPublish("e".repeat(201), 200)).isFalse();
    }

    @Test
    void takesTheMaximumLengthAsAParameter() {
        assertThat(EventNames.isValidForPublish("e".repeat(300), 300)).isTrue();
        assertThat(EventNames.isValidForPublish("e".repeat(11), 10)).isFalse();
    }

    @Test
    void tellsClientEventsByTheirPrefix() {
        assertThat(EventNames.isClientEvent("client-typing")).isTrue();
        assertThat(EventNames.isClientEvent("client-")).isTrue();
        assertThat(EventNames.isClientEvent("client")).isFalse();
        assertThat(EventNames.isClientEvent("Client-typing")).isFalse();
        assertThat(EventNames.isClientEvent("my-client-typing")).isFalse();
    }
}
