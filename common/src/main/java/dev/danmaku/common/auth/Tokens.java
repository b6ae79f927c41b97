package dev.danmaku.common.auth;

import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
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

import dev.danmaku.common.RoomIds;

/**
 * HS256 JWTs (DESIGN §6): {@code iss} and {@code aud} "danmaku", {@code sub} user id, {@code name},
 * {@code roles}, {@code iat}, {@code exp}. Beside them, or instead of them when there is no secret,
 * tokens of an identity provider signed with RS256/384/512, ES256/384/512 or EdDSA (Ed25519), verified with its
 * public keys ({@link IssuerKeys}) and carrying its own {@code iss} and {@code aud}: a service without
 * the secret verifies but can never mint. A token is accepted with 30 s of clock skew and for at most
 * {@link #MAX_LIFETIME} from its issue, a staff token (moderator, analyst, admin) for at most the
 * staff lifetime (default {@link #DEFAULT_STAFF_LIFETIME}); its user id and name must be printable
 * and bounded.
 */
public final class Tokens {

    public static final String ISSUER = "danmaku";
    public static final String AUDIENCE = "danmaku";
    public static final Duration MAX_LIFETIME = Duration.ofHours(24);
    public static final Duration DEFAULT_STAFF_LIFETIME = Duration.ofHours(1);
    private static final Set<String> STAFF = Set.of(Identity.MODERATOR, Identity.ANALYST, Identity.ADMIN);
    private static final long CLOCK_SKEW_SECONDS = 30;
    private static final int MAX_ID_LENGTH = 64;
    private static final int MAX_NAME_LENGTH = 64;
    private static final int MAX_ROOMS = 1000;

    /** Null without a secret: then nothing is minted and HS256 tokens are refused. */
    private final Algorithm algorithm;
    private final JWTVerifier verifier;
    private final IssuerKeys issuerKeys;
    private final String issuer;
    private final String audience;
    private final Duration maxStaffLifetime;

    public Tokens(String secret) {
        this(secret, DEFAULT_STAFF_LIFETIME);
    }

    public Tokens(String secret, Duration maxStaffLifetime) {
        this(secret, maxStaffLifetime, null, ISSUER, AUDIENCE);
    }

    /**
     * @param secret the HS256 secret, or null to mint nothing and accept only the provider's tokens
     * @param issuerKeys the identity provider's public keys, or null to accept only HS256 tokens
     * @param issuer the {@code iss} of the provider's tokens; {@code audience} their {@code aud}
     */
    public Tokens(String secret, Duration maxStaffLifetime, IssuerKeys issuerKeys, String issuer, String audience) {
        if (maxStaffLifetime.isNegative() || maxStaffLifetime.isZero() || maxStaffLifetime.compareTo(MAX_LIFETIME) > 0) {
            throw new IllegalArgumentException("the staff token lifetime must be positive and at most " + MAX_LIFETIME);
        }
        if (secret == null && issuerKeys == null) {
            throw new IllegalArgumentException("tokens need a secret or an issuer's public keys");
        }
        this.maxStaffLifetime = maxStaffLifetime;
        this.issuerKeys = issuerKeys;
        this.issuer = issuer;
        this.audience = audience;
        this.algorithm = secret == null ? null : Algorithm.HMAC256(secret);
        this.verifier = secret == null ? null : verifier(algorithm, ISSUER, AUDIENCE);
    }

    private static JWTVerifier verifier(Algorithm algorithm, String issuer, String audience) {
        return JWT.require(algorithm).withIssuer(issuer).withAudience(audience)
                .withClaimPresence("sub").withClaimPresence("exp").withClaimPresence("iat")
                .acceptLeeway(CLOCK_SKEW_SECONDS).build();
    }

    /**
     * Who signed the token decides how it is checked: HS256 with this installation's secret, an
     * asymmetric algorithm with the provider's key; anything else ({@code none} included) is refused.
     */
    private JWTVerifier verifierFor(DecodedJWT unverified) throws InvalidTokenException {
        String alg = unverified.getAlgorithm();
        if ("HS256".equals(alg) && verifier != null) {
            return verifier;
        }
        if (issuerKeys == null || alg == null || !(alg.startsWith("RS") || alg.startsWith("ES") || alg.equals("EdDSA"))) {
            throw new InvalidTokenException("tokens signed with " + alg + " are not accepted here");
        }
        PublicKey key = issuerKeys.keyFor(unverified.getKeyId());
        Algorithm checked = switch (alg) {
            case "RS256" -> key instanceof RSAPublicKey rsa ? Algorithm.RSA256(rsa, null) : null;
            case "RS384" -> key instanceof RSAPublicKey rsa ? Algorithm.RSA384(rsa, null) : null;
            case "RS512" -> key instanceof RSAPublicKey rsa ? Algorithm.RSA512(rsa, null) : null;
            case "ES256" -> key instanceof ECPublicKey ec ? Algorithm.ECDSA256(ec, null) : null;
            case "ES384" -> key instanceof ECPublicKey ec ? Algorithm.ECDSA384(ec, null) : null;
            case "ES512" -> key instanceof ECPublicKey ec ? Algorithm.ECDSA512(ec, null) : null;
            case "EdDSA" -> Ed25519Algorithm.isEd25519(key) ? new Ed25519Algorithm(key, null) : null;
            default -> throw new InvalidTokenException("tokens signed with " + alg + " are not accepted here");
        };
        if (checked == null) {
            throw new InvalidTokenException("the issuer's key is not a " + alg + " key");
        }
        return verifier(checked, issuer, audience);
    }

    public Identity verify(String token) throws InvalidTokenException {
        DecodedJWT jwt;
        try {
            jwt = verifierFor(JWT.decode(token)).verify(token);
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
        Set<String> roles = roles(jwt);
        Duration longest = maxLifetime(roles);
        if (Duration.between(issuedAt, expiresAt).compareTo(longest) > 0) {
            throw new InvalidTokenException("a token with roles " + roles + " lives at most " + minutes(longest)
                    + ", this one longer");
        }
        String userId = jwt.getSubject();
        if (userId.isEmpty() || userId.length() > MAX_ID_LENGTH || !printable(userId)) {
            throw new InvalidTokenException("token sub must be 1-" + MAX_ID_LENGTH + " printable characters");
        }
        String name = jwt.getClaim("name").isMissing() || jwt.getClaim("name").isNull() ? null : jwt.getClaim("name").asString();
        if (name != null && !acceptableName(name)) {
            throw new InvalidTokenException("token name must be at most " + MAX_NAME_LENGTH + " printable characters");
        }
        return new Identity(userId, name == null || name.isBlank() ? userId : name, roles, rooms(jwt), expiresAt);
    }

    /** The longest life a token with these roles may have: the staff lifetime if any role is staff, else 24 h. */
    public Duration maxLifetime(Set<String> roles) {
        return roles.stream().anyMatch(STAFF::contains) ? maxStaffLifetime : MAX_LIFETIME;
    }

    private static String minutes(Duration duration) {
        return duration.toMinutes() + " min";
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

    /** The rooms a moderator's token is limited to: a list of room ids, at most {@value #MAX_ROOMS}; empty for none. */
    private static Set<String> rooms(DecodedJWT jwt) throws InvalidTokenException {
        var claim = jwt.getClaim("rooms");
        if (claim.isMissing() || claim.isNull()) {
            return Set.of();
        }
        List<Object> rooms = claim.asList(Object.class);
        if (rooms == null || rooms.isEmpty() || rooms.size() > MAX_ROOMS
                || !rooms.stream().allMatch(room -> room instanceof String id && RoomIds.isValid(id))) {
            throw new InvalidTokenException("token rooms must be a list of 1-" + MAX_ROOMS + " room ids");
        }
        Set<String> ids = new HashSet<>();
        rooms.forEach(room -> ids.add((String) room));
        return ids;
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
        return issue(userId, name, roles, Set.of(), ttl, clock);
    }

    /** A token; {@code rooms} limits a moderator to those rooms (empty: every room). */
    public String issue(String userId, String name, Set<String> roles, Set<String> rooms, Duration ttl, Clock clock) {
        if (algorithm == null) {
            throw new IllegalStateException("this service has no token secret: it verifies its identity provider's"
                    + " tokens and mints none");
        }
        if (ttl.compareTo(maxLifetime(roles)) > 0) {
            throw new IllegalArgumentException("a token with roles " + roles + " lives at most "
                    + minutes(maxLifetime(roles)) + ", not " + minutes(ttl));
        }
        Instant now = clock.instant();
        return JWT.create()
                .withIssuer(ISSUER)
                .withAudience(AUDIENCE)
                .withSubject(userId)
                .withClaim("name", name)
                .withClaim("roles", List.copyOf(roles))
                .withClaim("rooms", rooms.isEmpty() ? null : List.copyOf(rooms))
                .withIssuedAt(now)
                .withExpiresAt(now.plus(ttl))
                .sign(algorithm);
    }
}
