package dev.danmaku.common.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;

import org.junit.jupiter.api.Test;

class TokensTest {

    private final Tokens tokens = new Tokens("a-secret-of-at-least-sixteen-chars");

    @Test
    void verifiesWhatItIssued() throws InvalidTokenException {
        String token = tokens.issue("alice", "Alice", Set.of(Identity.MODERATOR), Duration.ofMinutes(5));
        Identity identity = tokens.verify(token);
        assertThat(identity.userId()).isEqualTo("alice");
        assertThat(identity.name()).isEqualTo("Alice");
        assertThat(identity.roles()).containsExactly(Identity.MODERATOR);
        assertThat(identity.hasAnyRole(Set.of(Identity.ADMIN, Identity.MODERATOR))).isTrue();
        assertThat(identity.hasAnyRole(Set.of(Identity.ANALYST))).isFalse();
    }

    @Test
    void refusesAnExpiredToken() {
        Clock anHourAgo = Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC);
        String token = tokens.issue("alice", "Alice", Set.of(), Duration.ofMinutes(5), anHourAgo);
        assertThatThrownBy(() -> tokens.verify(token)).isInstanceOf(InvalidTokenException.class).hasMessageContaining("expired");
    }

    @Test
    void refusesAnotherSecretsSignature() {
        String token = new Tokens("another-secret-of-sixteen-chars").issue("mallory", "M", Set.of(Identity.ADMIN),
                Duration.ofMinutes(5));
        assertThatThrownBy(() -> tokens.verify(token)).isInstanceOf(InvalidTokenException.class).hasMessageContaining("signature");
    }

    @Test
    void refusesGarbage() {
        assertThatThrownBy(() -> tokens.verify("not-a-jwt")).isInstanceOf(InvalidTokenException.class);
    }
}
