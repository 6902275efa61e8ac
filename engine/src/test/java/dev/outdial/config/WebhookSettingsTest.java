package dev.outdial.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookSettingsTest {

    @Test
    void the_retry_schedule_and_allowed_hosts_come_from_the_environment() {
        OutdialConfig c = OutdialConfig.fromEnv(Map.of("OUTDIAL_WEBHOOK_RETRY_SCHEDULE", "5s, 2m,1h,1d",
                "OUTDIAL_WEBHOOK_ALLOW_HOSTS", "LocalHost, 10.0.0.5"));
        assertThat(c.webhooks().retrySchedule()).containsExactly(Duration.ofSeconds(5), Duration.ofMinutes(2), Duration.ofHours(1),
                Duration.ofDays(1));
        assertThat(c.webhooks().allowedHosts()).containsExactlyInAnyOrder("localhost", "10.0.0.5");
        assertThat(OutdialConfig.fromEnv(Map.of()).webhooks().retrySchedule()).hasSize(7);
        assertThat(OutdialConfig.fromEnv(Map.of()).webhooks().allowedHosts()).isEmpty();
    }

    @Test
    void a_bad_schedule_names_the_setting_and_the_part() {
        assertThatThrownBy(() -> WebhookSettings.schedule("5s,soon"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("OUTDIAL_WEBHOOK_RETRY_SCHEDULE").hasMessageContaining("soon");
        assertThat(WebhookSettings.schedule("")).isEqualTo(List.of());
    }
}
