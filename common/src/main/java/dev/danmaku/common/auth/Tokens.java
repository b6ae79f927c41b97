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

/**
 * HS256 JWTs (DESIGN §6): {@code iss} and {@code aud} "danmaku", {@code sub} user id, {@code name},
 * {@code roles}, {@code iat}, {@code exp}. A token is accepted with 30 s of clock skew and for at most
 * {@link #MAX_LIFETIME} from its issue; its user id and name must be printable and bounded.
 */
public final class Tokens {

    public static final String ISSUER = "danmaku";
    public static final String AUDIENCE = "danmaku";
    public static final Duration MAX_LIFETIME = Duration.ofHours(24);
    private static final long CLOCK_SKEW_SECONDS = 30;
    private static final int MAX_ID_LENGTH = 64;
    private static final int MAX_NAME_LENGTH = 64;

    private final Algorithm algorithm;
    private final JWTVerifier verifier;

    public Tokens(String secret) {
        this.algorithm = Algorithm.HMAC256(secret);
        this.verifier = JWT.require(algorithm).withIssuer(ISSUER).withAudience(AUDIENCE)
                .withClaimPresence("sub").withClaimPresence("exp").withClaimPresence("iat")
                .acceptLeeway(CLOCK_SKEW_SECONDS).build();
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
        Instant issuedAt = jwt.getIssuedAtAsInstant();
        Instant expiresAt = jwt.getExpiresAtAsInstant();
        if (Duration.between(issuedAt, expiresAt).compareTo(MAX_LIFETIME) > 0) {
            throw new InvalidTokenException("token lives longer than " + MAX_LIFETIME.toHours() + " h");
        }
        String userId = jwt.getSubject();
        if (userId.isEmpty() || userId.length() > MAX_ID_LENGTH || !printable(userId)) {
            throw new InvalidTokenException("token sub must be 1-" + MAX_ID_LENGTH + " printable characters");
        }
        String name = jwt.getClaim("name").isMissing() || jwt.getClaim("name").isNull() ? null : jwt.getClaim("name").asString();
        if (name != null && !acceptableName(name)) {
            throw new InvalidTokenException("token name must be at most " + MAX_NAME_LENGTH + " printable characters");
        }
        return new Identity(userId, name == null || name.isBlank() ? userId : name, roles(jwt), expiresAt);
    }

    /** Whether a display name may go into a token: at most 64 printable characters. */
    public static boolean acceptableName(String name) {
        return name.length() <= MAX_NAME_LENGTH && printable(name);
    }

    /** A roles claim that is not a list of strings is a bad token, not a server error. */
    private static Set<String> roles(DecodedJWT jwt) throws InvalidTokenException {
        var claim = jwt.getClaim("roles");
        if (claim.isMissing() || claim.isNull()) {
            return Set.of();
        }
        List<Object> roles = claim.asList(Object.class);
        if (roles == null || !roles.stream().allMatch(String.class::isInstance)) {
            throw new InvalidTokenException("token roles must be a list of strings");
        }
        Set<String> names = new HashSet<>();
        roles.forEach(role -> names.add((String) role));
        return names;
    }

    /** No control, format (bidi, zero-width) or unassigned characters: a name is shown to other viewers. */
    private static boolean printable(String text) {
        return text.codePoints().noneMatch(c -> switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.UNASSIGNED, Character.PRIVATE_USE, Character.SURROGATE,
                    Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> true;
            default -> false;
        });
    }

    public String issue(String userId, String name, Set<String> roles, Duration ttl) {
        return issue(userId, name, roles, ttl, Clock.systemUTC());
    }

    public String issue(String userId, String name, Set<String> roles, Duration ttl, Clock clock) {
        if (ttl.compareTo(MAX_LIFETIME) > 0) {
            throw new IllegalArgumentException("a token lives at most " + MAX_LIFETIME.toHours() + " h, not " + ttl);
        }
        Instant now = clock.instant();
        return JWT.create()
                .withIssuer(ISSUER)
                .withAudience(AUDIENCE)
                .withSubject(userId)
                .withClaim("name", name)
                .withClaim("roles", List.copyOf(roles))
                .withIssuedAt(now)
                .withExpiresAt(now.plus(ttl))
                .sign(algorithm);
    }
}
