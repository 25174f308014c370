package dev.throng.gateway.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.throng.gateway.GatewayConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookSettingsTest {

    @Test
    void takesTheGatewayConfigsWebhookSettings() {
        GatewayConfig config = new GatewayConfig(
                List.of(),
                Duration.ofSeconds(120),
                Duration.ofSeconds(600),
                256 * 1024,
                Duration.ofMinutes(30),
                Duration.ofMillis(100),
                Duration.ofSeconds(2),
                Duration.ofMinutes(1),
                500);

        WebhookSettings settings = config.webhookSettings();

        assertThat(settings.batchWindow()).isEqualTo(Duration.ofMillis(100));
        assertThat(settings.vacancyDelay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(settings.retryFor()).isEqualTo(Duration.ofMinutes(1));
        assertThat(settings.queueSize()).isEqualTo(500);
    }

    @Test
    void agreesWithTheGatewayConfigsDefaults() {
        assertThat(GatewayConfig.DEFAULTS.webhookSettings()).isEqualTo(WebhookSettings.DEFAULTS);
    }

    @Test
    void defaultsToPushersDelaysAndTheDocumentedBounds() {
        WebhookSettings d = WebhookSettings.DEFAULTS;

        assertThat(d.batchWindow()).isEqualTo(Duration.ofMillis(250));
        assertThat(d.vacancyDelay()).isEqualTo(Duration.ofSeconds(3));
        assertThat(d.retryFor()).isEqualTo(Duration.ofMinutes(5));
        assertThat(d.queueSize()).isEqualTo(10_000);
        assertThat(d.maxEventsPerRequest()).isEqualTo(100);
        assertThat(d.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(d.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(d.firstRetryDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(d.maxRetryDelay()).isEqualTo(Duration.ofSeconds(60));
        assertThat(d.closeTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void rejectsAMaxRetryDelayBelowTheFirstRetryDelayNamingBoth() {
        assertThatThrownBy(() -> WebhookSettings.builder()
                        .firstRetryDelay(Duration.ofSeconds(2))
                        .maxRetryDelay(Duration.ofSeconds(1))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("webhooks.maxRetryDelay")
                .hasMessageContaining("firstRetryDelay");
    }

    @Test
    void rejectsAZeroRequestTimeoutNamingIt() {
        assertThatThrownBy(() ->
                        WebhookSettings.builder().requestTimeout(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("webhooks.requestTimeout");
    }

    @Test
    void rejectsAnEmptyQueueNamingIt() {
        assertThatThrownBy(() -> WebhookSettings.builder().queueSize(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("webhooks.queueSize");
    }
}
