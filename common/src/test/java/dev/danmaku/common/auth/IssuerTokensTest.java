package dev.danmaku.common.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokens of an identity provider, verified with its public keys: a PEM file or a JWKS URL. */
class IssuerTokensTest {

    private static final String SECRET = "a-secret-of-at-least-thirty-two-bytes!!";
    private static final String IDP = "https://id.example.com";
    private static final String AUDIENCE = "live.example.com";
    private HttpServer jwksServer;

    @AfterEach
    void stop() {
        if (jwksServer != null) {
            jwksServer.stop(0);
        }
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static KeyPair ec() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static Path pem(Path dir, KeyPair keys) throws IOException {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(keys.getPublic().getEncoded());
        return Files.writeString(dir.resolve("idp.pem"), "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n");
    }

    /** Publishes the provider's key set on this machine, counting the fetches; its URL. */
    private String serveJwks(JWK published, AtomicInteger fetches) throws IOException {
        jwksServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        jwksServer.createContext("/jwks.json", exchange -> {
            fetches.incrementAndGet();
            byte[] body = new JWKSet(published).toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        jwksServer.start();
        return "http://127.0.0.1:" + jwksServer.getAddress().getPort() + "/jwks.json";
    }

    /** As the identity provider mints a viewer's token. */
    private static JWTCreator.Builder claims(String issuer) {
        Instant now = Instant.now();
        return JWT.create().withIssuer(issuer).withAudience(AUDIENCE).withSubject("alice").withClaim("name", "Alice")
                .withClaim("roles", List.of(Identity.VIEWER)).withIssuedAt(now).withExpiresAt(now.plusSeconds(300));
    }

    private static Tokens verifyingOnly(IssuerKeys keys) {
        return new Tokens(null, Tokens.DEFAULT_STAFF_LIFETIME, keys, IDP, AUDIENCE);
    }

    @Test
    void anRs256TokenOfTheProviderIsCheckedWithItsPemKey(@TempDir Path dir) throws Exception {
        KeyPair keys = rsa();
        Tokens tokens = verifyingOnly(IssuerKeys.fromPemFile(pem(dir, keys)));
        Algorithm signing = Algorithm.RSA256(null, (RSAPrivateKey) keys.getPrivate());

        Identity alice = tokens.verify(claims(IDP).sign(signing));
        assertThat(alice.userId()).isEqualTo("alice");
        assertThat(alice.name()).isEqualTo("Alice");

        assertThatThrownBy(() -> tokens.verify(claims("https://other.example.com").sign(signing)))
                .isInstanceOf(InvalidTokenException.class).hasMessageContaining("iss");
        assertThatThrownBy(() -> tokens.verify(claims(IDP).sign(Algorithm.RSA256(null, (RSAPrivateKey) rsa().getPrivate()))))
                .isInstanceOf(InvalidTokenException.class).hasMessageContaining("signature");
        // the lifetime and claim checks are the same as for our own tokens
        Instant issued = Instant.now();
        assertThatThrownBy(() -> tokens.verify(claims(IDP).withExpiresAt(issued.plus(Duration.ofDays(2))).sign(signing)))
                .isInstanceOf(InvalidTokenException.class).hasMessageContaining("lives at most");
    }

    @Test
    void withoutASecretNothingIsMintedAndNoHs256TokenIsAccepted(@TempDir Path dir) throws Exception {
        Tokens tokens = verifyingOnly(IssuerKeys.fromPemFile(pem(dir, rsa())));
        String ours = new Tokens(SECRET).issue("mallory", "M", Set.of(Identity.ADMIN), Duration.ofMinutes(5));

        assertThatThrownBy(() -> tokens.verify(ours)).isInstanceOf(InvalidTokenException.class)
                .hasMessageContaining("HS256 are not accepted");
        assertThatThrownBy(() -> tokens.issue("mallory", "M", Set.of(Identity.ADMIN), Duration.ofMinutes(5)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("mints none");
        assertThatThrownBy(() -> tokens.verify(claims(IDP).sign(Algorithm.none()))).isInstanceOf(InvalidTokenException.class)
                .hasMessageContaining("none are not accepted");
    }

    @Test
    void anHs256TokenKeyedWithThePublicKeyIsRefused(@TempDir Path dir) throws Exception {
        Path pem = pem(dir, rsa());
        Tokens tokens = new Tokens(SECRET, Tokens.DEFAULT_STAFF_LIFETIME, IssuerKeys.fromPemFile(pem), IDP, AUDIENCE);
        // the classic confusion: the public key's text used as an HMAC secret
        String forged = claims(Tokens.ISSUER).withAudience(Tokens.AUDIENCE).withClaim("roles", List.of(Identity.ADMIN))
                .sign(Algorithm.HMAC256(Files.readString(pem)));

        assertThatThrownBy(() -> tokens.verify(forged)).isInstanceOf(InvalidTokenException.class)
                .hasMessageContaining("signature");
    }

    @Test
    void jwksKeysAreChosenByKidAndFetchedOnce() throws Exception {
        KeyPair keys = ec();
        ECKey published = new ECKey.Builder(Curve.P_256, (ECPublicKey) keys.getPublic()).keyID("k1").build();
        AtomicInteger fetches = new AtomicInteger();
        Tokens tokens = verifyingOnly(IssuerKeys.fromJwksUrl(serveJwks(published, fetches)));
        Algorithm signing = Algorithm.ECDSA256(null, (ECPrivateKey) keys.getPrivate());

        assertThat(tokens.verify(claims(IDP).withKeyId("k1").sign(signing)).userId()).isEqualTo("alice");
        assertThat(tokens.verify(claims(IDP).withKeyId("k1").sign(signing)).userId()).isEqualTo("alice");
        assertThat(fetches.get()).as("the keys are cached").isEqualTo(1);

        assertThatThrownBy(() -> tokens.verify(claims(IDP).withKeyId("k2").sign(signing)))
                .isInstanceOf(InvalidTokenException.class).hasMessageContaining("no public key k2");
        assertThatThrownBy(() -> tokens.verify(claims(IDP).sign(signing)))
                .isInstanceOf(InvalidTokenException.class).hasMessageContaining("names no key");
        assertThatThrownBy(() -> tokens.verify(claims(IDP).withKeyId("k1")
                .sign(Algorithm.RSA256(null, (RSAPrivateKey) rsa().getPrivate()))))
                .isInstanceOf(InvalidTokenException.class).hasMessageContaining("not a RS256 key");
    }

    @Test
    void anEdDsaTokenIsCheckedWithAnEd25519KeyFromAPemFileOrAJwks(@TempDir Path dir) throws Exception {
        KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Algorithm signing = new Ed25519Algorithm(keys.getPublic(), keys.getPrivate());
        Tokens fromPem = verifyingOnly(IssuerKeys.fromPemFile(pem(dir, keys)));

        assertThat(fromPem.verify(claims(IDP).sign(signing)).userId()).isEqualTo("alice");
        KeyPair other = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        assertThatThrownBy(() -> fromPem.verify(claims(IDP).sign(new Ed25519Algorithm(other.getPublic(), other.getPrivate()))))
                .isInstanceOf(InvalidTokenException.class).hasMessageContaining("signature");
        assertThatThrownBy(() -> fromPem.verify(claims(IDP).sign(Algorithm.ECDSA256(null, (ECPrivateKey) ec().getPrivate()))))
                .isInstanceOf(InvalidTokenException.class).hasMessageContaining("not a ES256 key");

        // RFC 8037: the key's 32 bytes, the last 32 of its X.509 encoding
        byte[] encoded = keys.getPublic().getEncoded();
        OctetKeyPair published = new OctetKeyPair.Builder(Curve.Ed25519,
                Base64URL.encode(Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length))).keyID("ed1").build();
        Tokens fromJwks = verifyingOnly(IssuerKeys.fromJwksUrl(serveJwks(published, new AtomicInteger())));

        assertThat(fromJwks.verify(claims(IDP).withKeyId("ed1").sign(signing)).name()).isEqualTo("Alice");
        assertThatThrownBy(() -> fromJwks.verify(claims(IDP).withKeyId("ed1")
                .sign(new Ed25519Algorithm(other.getPublic(), other.getPrivate()))))
                .isInstanceOf(InvalidTokenException.class).hasMessageContaining("signature");
        assertThatThrownBy(() -> new Ed25519Algorithm(keys.getPublic(), null).sign(new byte[1]))
                .hasRootCauseMessage("no private key: verify only");
    }

    @Test
    void keysComeOverHttpsOrFromThisMachineAndAPemFileMustHoldAKey(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> IssuerKeys.fromJwksUrl("http://id.example.com/jwks.json"))
                .hasMessageContaining("https");
        assertThat(IssuerKeys.checkedUrl("https://id.example.com/jwks.json")).hasHost("id.example.com");
        Path notAKey = Files.writeString(dir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> IssuerKeys.fromPemFile(notAKey)).hasMessageContaining("no PEM public key");
        Path garbage = Files.writeString(dir.resolve("bad.pem"), "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
        assertThatThrownBy(() -> IssuerKeys.fromPemFile(garbage)).hasMessageContaining("not RSA, EC or Ed25519");
    }
}
