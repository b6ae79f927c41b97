package dev.danmaku.common.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.EdECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.SignatureGenerationException;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;

/**
 * {@code EdDSA} with Ed25519 (RFC 8037) for java-jwt, which has no EdDSA of its own: the JDK's
 * Ed25519 signature over the token's header and payload. Signs only when given a private key.
 */
final class Ed25519Algorithm extends Algorithm {

    /** The DER of an Ed25519 SubjectPublicKeyInfo before its 32 key bytes (RFC 8410). */
    private static final byte[] X509_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    private final PublicKey publicKey;
    private final PrivateKey privateKey;

    Ed25519Algorithm(PublicKey publicKey, PrivateKey privateKey) {
        super("EdDSA", "Ed25519");
        this.publicKey = publicKey;
        this.privateKey = privateKey;
    }

    static boolean isEd25519(PublicKey key) {
        return key instanceof EdECPublicKey ed && "Ed25519".equalsIgnoreCase(ed.getParams().getName());
    }

    /** The public key from its 32 raw bytes, as a JWK's {@code x} holds them. */
    static PublicKey publicKey(byte[] raw) throws GeneralSecurityException {
        if (raw.length != 32) {
            throw new GeneralSecurityException("an Ed25519 public key has 32 bytes, not " + raw.length);
        }
        byte[] der = new byte[X509_PREFIX.length + raw.length];
        System.arraycopy(X509_PREFIX, 0, der, 0, X509_PREFIX.length);
        System.arraycopy(raw, 0, der, X509_PREFIX.length, raw.length);
        return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
    }

    @Override
    public void verify(DecodedJWT jwt) throws SignatureVerificationException {
        try {
            Signature signature = Signature.getInstance("Ed25519");
            signature.initVerify(publicKey);
            signature.update((jwt.getHeader() + "." + jwt.getPayload()).getBytes(StandardCharsets.US_ASCII));
            if (!signature.verify(Base64.getUrlDecoder().decode(jwt.getSignature()))) {
                throw new SignatureVerificationException(this);
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new SignatureVerificationException(this, e);
        }
    }

    @Override
    public byte[] sign(byte[] contentBytes) throws SignatureGenerationException {
        if (privateKey == null) {
            throw new SignatureGenerationException(this, new IllegalStateException("no private key: verify only"));
        }
        try {
            Signature signature = Signature.getInstance("Ed25519");
            signature.initSign(privateKey);
            signature.update(contentBytes);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new SignatureGenerationException(this, e);
        }
    }
}
