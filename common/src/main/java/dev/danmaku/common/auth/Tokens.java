package dev.danmaku.common.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;

/** HS256 JWTs (DESIGN §6): {@code sub} user id, {@code name}, {@code roles}, {@code exp}. */
public final class Tokens {

    private static final String ISSUER = "danmaku";
    private final Algorithm algorithm;
    private final JWTVerifier verifier;

    public Tokens(String secret) {
        this.algorithm = Algorithm.HMAC256(secret);
        this.verifier = JWT.require(algorithm).withClaimPresence("sub").withClaimPresence("exp").build();
    }

    public Identity verify(String token) throws InvalidTokenException {
        DecodedJWT jwt;
        try {
            jwt = verifier.verify(token);
        } catch (TokenExpiredException e) {
            throw new InvalidTokenException("token expired at " + e.getExpiredOn());
        } catch (SignatureVerificationException e) {
            throw new InvalidTokenException("token signature does not verify");
        } catch (JWTDecodeException e) {
            throw new InvalidTokenException("token is not a JWT");
        } catch (JWTVerificationException e) {
            throw new InvalidTokenException("token rejected: " + e.getMessage());
        }
        List<String> roles = jwt.getClaim("roles").asList(String.class);
        String name = jwt.getClaim("name").asString();
        return new Identity(jwt.getSubject(), name == null || name.isBlank() ? jwt.getSubject() : name,
                roles == null ? Set.of() : new HashSet<>(roles), jwt.getExpiresAtAsInstant());
    }

    public String issue(String userId, String name, Set<String> roles, Duration ttl) {
        return issue(userId, name, roles, ttl, Clock.systemUTC());
    }

    public String issue(String userId, String name, Set<String> roles, Duration ttl, Clock clock) {
        Instant now = clock.instant();
        return JWT.create()
                .withIssuer(ISSUER)
                .withSubject(userId)
                .withClaim("name", name)
                .withClaim("roles", List.copyOf(roles))
                .withIssuedAt(now)
                .withExpiresAt(now.plus(ttl))
                .sign(algorithm);
    }
}
