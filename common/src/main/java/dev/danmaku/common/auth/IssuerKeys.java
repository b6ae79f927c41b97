package dev.danmaku.common.auth;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;

/**
 * The public keys of an identity provider that mints tokens elsewhere (RS256, ES256 and their longer
 * kin, EdDSA with Ed25519), so that a service verifies its tokens without holding anything that signs: one key from a
 * PEM file, or the keys at a JWKS URL chosen by the token's {@code kid} (nimbus-jose-jwt fetches
 * them on first use, caches them, and fetches again when a key it does not know is named).
 */
public final class IssuerKeys {

    private final PublicKey single;
    private final JWKSource<SecurityContext> jwks;

    private IssuerKeys(PublicKey single, JWKSource<SecurityContext> jwks) {
        this.single = single;
        this.jwks = jwks;
    }

    /** The one key in a PEM file ("-----BEGIN PUBLIC KEY-----", RSA, EC or Ed25519); says in one line what is wrong. */
    public static IssuerKeys fromPemFile(Path file) {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
        return new IssuerKeys(parsePem(pem, file.toString()), null);
    }

    static PublicKey parsePem(String pem, String where) {
        int begin = pem.indexOf("-----BEGIN PUBLIC KEY-----");
        int end = pem.indexOf("-----END PUBLIC KEY-----");
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException(where + " holds no PEM public key (-----BEGIN PUBLIC KEY-----)");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(pem.substring(begin + "-----BEGIN PUBLIC KEY-----".length(), end));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + " holds a PEM block that is not base64");
        }
        for (String type : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next type
            }
        }
        throw new IllegalArgumentException(where + " holds a public key that is not RSA, EC or Ed25519");
    }

    /** The keys at a JWKS URL: https, or http on this machine only. */
    public static IssuerKeys fromJwksUrl(String url) {
        return new IssuerKeys(null, JWKSourceBuilder.create(checkedUrl(url)).retrying(true).build());
    }

    /** A JWKS URL that may be trusted for keys: https, or http to a loopback address. */
    public static URL checkedUrl(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + url);
        }
        String host = uri.getHost() == null ? "" : uri.getHost();
        boolean loopback = host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]");
        if (!"https".equals(uri.getScheme()) && !("http".equals(uri.getScheme()) && loopback)) {
            throw new IllegalArgumentException("keys must come over https (http only from this machine): " + url);
        }
        try {
            return uri.toURL();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not a URL: " + url);
        }
    }

    private static PublicKey ed25519(String kid, OctetKeyPair okp) throws InvalidTokenException {
        if (!Curve.Ed25519.equals(okp.getCurve())) {
            throw new InvalidTokenException("the issuer's key " + kid + " is on " + okp.getCurve() + "; only Ed25519 is accepted");
        }
        try {
            return Ed25519Algorithm.publicKey(okp.getX().decode());
        } catch (GeneralSecurityException e) {
            throw new InvalidTokenException("the issuer's key " + kid + " is unusable: " + e.getMessage());
        }
    }

    /** The key that verifies a token naming {@code kid} (which a single PEM key does not need). */
    PublicKey keyFor(String kid) throws InvalidTokenException {
        if (single != null) {
            return single;
        }
        if (kid == null || kid.isEmpty()) {
            throw new InvalidTokenException("token names no key (kid) of its issuer");
        }
        List<JWK> found;
        try {
            found = jwks.get(new JWKSelector(new JWKMatcher.Builder().keyID(kid).build()), null);
        } catch (KeySourceException e) {
            throw new InvalidTokenException("the issuer's keys could not be fetched: " + e.getMessage());
        }
        if (!found.isEmpty() && found.get(0) instanceof OctetKeyPair okp) {
            return ed25519(kid, okp); // nimbus makes no JDK key of an OKP
        }
        if (found.isEmpty() || !(found.get(0) instanceof AsymmetricJWK key)) {
            throw new InvalidTokenException("the issuer has no public key " + kid);
        }
        try {
            return key.toPublicKey();
        } catch (JOSEException e) {
            throw new InvalidTokenException("the issuer's key " + kid + " is unusable: " + e.getMessage());
        }
    }
}
