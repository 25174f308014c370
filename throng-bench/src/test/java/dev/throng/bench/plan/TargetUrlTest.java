package dev.throng.bench.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TargetUrlTest {

    @Test
    void keepsPathAndQueryAndDefaultsThePort() {
        TargetUrl u = TargetUrl.parse("ws://127.0.0.1/chat?room=1");
        assertThat(u.port()).isEqualTo(80);
        assertThat(u.path()).isEqualTo("/chat?room=1");
        assertThat(u.hostHeader()).isEqualTo("127.0.0.1");
    }

    @Test
    void anEmptyPathIsTheRoot() {
        TargetUrl u = TargetUrl.parse("ws://localhost:8080");
        assertThat(u.path()).isEqualTo("/");
        assertThat(u.hostHeader()).isEqualTo("localhost:8080");
    }

    @ParameterizedTest
    @ValueSource(strings = {"wss://127.0.0.1/", "http://127.0.0.1/", "ws:///nohost", "ws://h/#frag", "::"})
    void rejectsWhatTheBenchCannotOrMustNotUse(String url) {
        assertThatThrownBy(() -> TargetUrl.parse(url)).isInstanceOf(IllegalArgumentException.class);
    }
}
