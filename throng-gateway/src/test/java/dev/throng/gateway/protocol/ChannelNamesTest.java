package dev.throng.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChannelNamesTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "my-channel",
                "foo-bar_1234@=,.;", // Pusher's channels page example
                "private-foobar",
                "presence-cache-room.42",
                "private-encrypted-cache-a",
                "A",
                "#server-to-user-12345",
                "#server-to-user-user@example.com",
            })
    void acceptsNamesOfTheAllowedCharacters(String name) {
        assertThat(ChannelNames.isValid(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "has space",
                "slash/",
                "colon:",
                "quote\"",
                "backslash\\",
                "tab\t",
                "plus+",
                "star*",
                "caf\u00e9",
                "emoji\ud83d\ude00",
                "#foo",
                "#server-to-user-",
                "#server-to-user-a#b",
                "#server-to-user-a b",
                "private-#server-to-user-1",
                "x#server-to-user-1",
            })
    void refusesOtherCharactersAndAnyOtherUseOfHash(String name) {
        assertThat(ChannelNames.isValid(name)).isFalse();
    }

    @Test
    void refusesNull() {
        assertThat(ChannelNames.isValid(null)).isFalse();
    }

    @Test
    void acceptsPushers164CharactersPrefixIncluded() {
        assertThat(ChannelNames.isValid("private-" + "a".repeat(164 - 8))).isTrue();
        assertThat(ChannelNames.isValid("private-" + "a".repeat(165 - 8))).isFalse();
    }

    @Test
    void takesTheMaximumLengthAsAParameter() {
        String name200 = "a".repeat(200);

        assertThat(ChannelNames.isValid(name200, 200)).isTrue();
        assertThat(ChannelNames.isValid(name200, 199)).isFalse();
    }

    @Test
    void appliesTheMaximumLengthToServerToUserNamesToo() {
        String name = "#server-to-user-" + "1".repeat(20);

        assertThat(ChannelNames.isValid(name, name.length())).isTrue();
        assertThat(ChannelNames.isValid(name, name.length() - 1)).isFalse();
    }

    @Test
    void readsTheUserIdOfAServerToUserName() {
        assertThat(ChannelNames.serverToUserId("#server-to-user-12345")).isEqualTo("12345");
        assertThat(ChannelNames.serverToUserId("#server-to-user-")).isNull();
        assertThat(ChannelNames.serverToUserId("#server-to-user-a b")).isNull();
        assertThat(ChannelNames.serverToUserId("private-12345")).isNull();
    }

    @Test
    void namesTheServerToUserChannelOfAUser() {
        assertThat(ChannelNames.serverToUser("12345")).isEqualTo("#server-to-user-12345");
    }
}
