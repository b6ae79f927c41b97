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

    private static final String SECRET = "a-secret-of-at-least-sixteen-chars";
    private final Tokens tokens = new Tokens(SECRET);

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

    /** A token as another issuer might sign it with our secret: every claim chosen by the test. */
    private static com.auth0.jwt.JWTCreator.Builder signed(Duration age, Duration ttl) {
        Instant issued = Instant.now().minus(age);
        return com.auth0.jwt.JWT.create().withIssuer(Tokens.ISSUER).withAudience(Tokens.AUDIENCE).withSubject("alice")
                .withIssuedAt(issued).withExpiresAt(issued.plus(ttl));
    }

    private static String sign(com.auth0.jwt.JWTCreator.Builder token) {
        return token.sign(com.auth0.jwt.algorithms.Algorithm.HMAC256(SECRET));
    }

    @Test
    void refusesAnotherIssuerOrAudienceOrNoIssueTime() {
        assertThatThrownBy(() -> tokens.verify(sign(signed(Duration.ZERO, Duration.ofMinutes(5)).withIssuer("elsewhere"))))
                .isInstanceOf(InvalidTokenException.class);
        assertThatThrownBy(() -> tokens.verify(sign(signed(Duration.ZERO, Duration.ofMinutes(5)).withAudience("another-app"))))
                .isInstanceOf(InvalidTokenException.class);
        String noIssueTime = sign(com.auth0.jwt.JWT.create().withIssuer(Tokens.ISSUER).withAudience(Tokens.AUDIENCE)
                .withSubject("alice").withExpiresAt(Instant.now().plusSeconds(60)));
        assertThatThrownBy(() -> tokens.verify(noIssueTime)).isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void acceptsThirtySecondsOfClockSkewAndNoMore() throws InvalidTokenException {
        // expired 10 s ago by our clock: a clock 10 s behind the issuer's
        assertThat(tokens.verify(sign(signed(Duration.ofMinutes(5).plusSeconds(10), Duration.ofMinutes(5)))).userId())
                .isEqualTo("alice");
        assertThatThrownBy(() -> tokens.verify(sign(signed(Duration.ofMinutes(6), Duration.ofMinutes(5)))))
                .isInstanceOf(InvalidTokenException.class).hasMessageContaining("expired");
    }

    @Test
    void refusesATokenThatLivesLongerThanADay() {
        assertThatThrownBy(() -> tokens.verify(sign(signed(Duration.ZERO, Duration.ofDays(30)))))
                .isInstanceOf(InvalidTokenException.class).hasMessageContaining("1440 min");
        assertThatThrownBy(() -> tokens.issue("alice", "Alice", Set.of(), Duration.ofDays(2)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aStaffTokenLivesAtMostTheStaffLifetimeAViewerTokenADay() throws InvalidTokenException {
        Tokens lenient = new Tokens(SECRET, Duration.ofHours(8));
        String longStaff = lenient.issue("mo", "Mo", Set.of(Identity.MODERATOR), Duration.ofHours(2));
        String longViewer = tokens.issue("vi", "Vi", Set.of(Identity.VIEWER), Duration.ofHours(20));

        assertThatThrownBy(() -> tokens.verify(longStaff)).isInstanceOf(InvalidTokenException.class)
                .hasMessageContaining("lives at most 60 min");
        assertThat(lenient.verify(longStaff).userId()).isEqualTo("mo");
        assertThat(tokens.verify(longViewer).userId()).isEqualTo("vi");
        assertThat(tokens.maxLifetime(Set.of(Identity.VIEWER, Identity.ANALYST))).isEqualTo(Duration.ofHours(1));
        assertThatThrownBy(() -> tokens.issue("ad", "Ad", Set.of(Identity.ADMIN), Duration.ofMinutes(61)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 60 min");
        assertThatThrownBy(() -> new Tokens(SECRET, Duration.ofHours(25))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesRolesThatAreNotAListOfStrings() {
        assertThatThrownBy(() -> tokens.verify(sign(signed(Duration.ZERO, Duration.ofMinutes(5))
                .withClaim("roles", java.util.List.of(1, 2))))).isInstanceOf(InvalidTokenException.class).hasMessageContaining("roles");
        assertThatThrownBy(() -> tokens.verify(sign(signed(Duration.ZERO, Duration.ofMinutes(5)).withClaim("roles", "admin"))))
                .isInstanceOf(InvalidTokenException.class).hasMessageContaining("roles");
    }

    @Test
    void refusesAnUnprintableOrOverlongUserIdOrName() {
        assertThatThrownBy(() -> tokens.verify(sign(signed(Duration.ZERO, Duration.ofMinutes(5)).withSubject("a".repeat(65)))))
                .isInstanceOf(InvalidTokenException.class).hasMessageContaining("sub");
        // a right-to-left override would turn the name around on every other viewer's screen
        assertThatThrownBy(() -> tokens.verify(sign(signed(Duration.ZERO, Duration.ofMinutes(5)).withClaim("name", "ali\u202Ece"))))
                .isInstanceOf(InvalidTokenException.class).hasMessageContaining("name");
        assertThatThrownBy(() -> tokens.verify(sign(signed(Duration.ZERO, Duration.ofMinutes(5)).withClaim("name", "line\nbreak"))))
                .isInstanceOf(InvalidTokenException.class).hasMessageContaining("name");
    }

    @Test
    void refusesAnUnsignedTokenAndAnotherAlgorithm() {
        assertThatThrownBy(() -> tokens.verify(signed(Duration.ZERO, Duration.ofMinutes(5))
                .sign(com.auth0.jwt.algorithms.Algorithm.none()))).isInstanceOf(InvalidTokenException.class);
        assertThatThrownBy(() -> tokens.verify(signed(Duration.ZERO, Duration.ofMinutes(5))
                .sign(com.auth0.jwt.algorithms.Algorithm.HMAC512(SECRET)))).isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void aRoomsClaimScopesAModeratorAndMustBeAListOfRoomIds() throws InvalidTokenException {
        Identity scoped = tokens.verify(tokens.issue("mo", "Mo", Set.of(Identity.MODERATOR, Identity.VIEWER),
                Set.of("room-a", "room-b"), Duration.ofMinutes(5), Clock.systemUTC()));

        assertThat(scoped.rooms()).containsExactlyInAnyOrder("room-a", "room-b");
        assertThat(scoped.moderates("room-a")).isTrue();
        assertThat(scoped.moderates("room-c")).isFalse();
        assertThat(scoped.rolesIn("room-c")).containsExactly(Identity.VIEWER);
        assertThat(scoped.rolesIn("room-a")).containsExactlyInAnyOrder(Identity.MODERATOR, Identity.VIEWER);
        Identity everywhere = tokens.verify(tokens.issue("mo", "Mo", Set.of(Identity.MODERATOR), Duration.ofMinutes(5)));
        assertThat(everywhere.rooms()).isEmpty();
        assertThat(everywhere.moderates("any")).isTrue();
        assertThat(everywhere.isAdmin()).isFalse();
        Identity admin = tokens.verify(tokens.issue("ad", "Ad", Set.of(Identity.ADMIN), Set.of("room-a"),
                Duration.ofMinutes(5), Clock.systemUTC()));
        assertThat(admin.moderates("room-z")).as("rooms limit moderators, not admins").isTrue();

        for (Object bad : new Object[] {java.util.List.of(), java.util.List.of(1), java.util.List.of("no spaces"), "room-a"}) {
            var token = signed(Duration.ZERO, Duration.ofMinutes(5)).withClaim("roles", java.util.List.of("moderator"));
            String signed = bad instanceof String one ? sign(token.withClaim("rooms", one))
                    : sign(token.withClaim("rooms", (java.util.List<?>) bad));
            assertThatThrownBy(() -> tokens.verify(signed)).as("rooms %s", bad).isInstanceOf(InvalidTokenException.class)
                    .hasMessageContaining("rooms must be a list of 1-1000 room ids");
        }
    }
}
