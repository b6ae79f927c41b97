package dev.danmaku.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made when a test starts, and the PKCS12 stores it signs: a trust store with
 * the CA, and a key store per broker or client with its key and certificate chain, in the shape a Strimzi
 * {@code KafkaUser} Secret has ({@code user.p12}: one password for the store and the key). Nothing here
 * is ever checked in; the CA's key lives only in this object.
 */
public final class TestCertificates {

    private static final Duration VALIDITY = Duration.ofDays(1);
    private static final String SIGNATURE = "SHA256withECDSA";

    private final Path dir;
    private final String password = UUID.randomUUID().toString();
    private final AtomicLong serials = new AtomicLong(1);
    private final KeyPair caKeys = newKeys();
    private final X509Certificate caCertificate;
    private final Path trustStore;

    private TestCertificates(Path dir) {
        this.dir = dir;
        X500Name ca = new X500Name("CN=danmaku test CA");
        this.caCertificate = sign(new JcaX509v3CertificateBuilder(ca, serial(), notBefore(), notAfter(), ca, caKeys.getPublic()),
                new BasicConstraints(true), new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        this.trustStore = dir.resolve("ca.p12");
        KeyStore store = emptyStore();
        try {
            store.setCertificateEntry("ca", caCertificate);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        save(store, trustStore);
    }

    /** A new CA whose stores are written to {@code dir}. */
    public static TestCertificates createIn(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new TestCertificates(dir);
    }

    /** The PKCS12 trust store holding the CA certificate: brokers and clients trust what it signed. */
    public Path trustStore() {
        return trustStore;
    }

    /** The password of every store and key this CA writes. */
    public String password() {
        return password;
    }

    /**
     * A PKCS12 key store for the subject {@code CN=<commonName>}, signed by this CA, valid for client
     * and server authentication at the given host names or IP addresses (a server's; a client needs none).
     */
    public Path keyStore(String commonName, String... hosts) {
        KeyPair keys = newKeys();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(caCertificate, serial(), notBefore(), notAfter(),
                new X500Name("CN=" + commonName), keys.getPublic());
        try {
            if (hosts.length > 0) {
                builder.addExtension(Extension.subjectAlternativeName, false, alternativeNames(hosts));
            }
            builder.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_serverAuth}));
        } catch (CertIOException e) {
            throw new IllegalStateException(e);
        }
        X509Certificate certificate = sign(builder, new BasicConstraints(false),
                new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
        Path file = dir.resolve(commonName + ".p12");
        KeyStore store = emptyStore();
        try {
            store.setKeyEntry(commonName, keys.getPrivate(), password.toCharArray(),
                    new Certificate[] {certificate, caCertificate});
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        save(store, file);
        return file;
    }

    private static GeneralNames alternativeNames(String... hosts) {
        GeneralName[] names = new GeneralName[hosts.length];
        for (int i = 0; i < hosts.length; i++) {
            boolean address = Character.isDigit(hosts[i].charAt(0)) || hosts[i].contains(":");
            names[i] = new GeneralName(address ? GeneralName.iPAddress : GeneralName.dNSName, hosts[i]);
        }
        return new GeneralNames(names);
    }

    private X509Certificate sign(X509v3CertificateBuilder builder, BasicConstraints constraints, KeyUsage usage) {
        try {
            builder.addExtension(Extension.basicConstraints, true, constraints);
            builder.addExtension(Extension.keyUsage, true, usage);
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(SIGNATURE).build(caKeys.getPrivate())));
        } catch (CertIOException | OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a test certificate", e);
        }
    }

    /** EC P-256: a key pair takes milliseconds, where RSA 2048 takes a good part of a second on a busy machine. */
    private static KeyPair newKeys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private BigInteger serial() {
        return BigInteger.valueOf(serials.getAndIncrement());
    }

    /** A minute back, so a clock a little behind still takes the certificate as valid. */
    private static Date notBefore() {
        return Date.from(Instant.now().minus(Duration.ofMinutes(1)));
    }

    private static Date notAfter() {
        return Date.from(Instant.now().plus(VALIDITY));
    }

    private static KeyStore emptyStore() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private void save(KeyStore store, Path file) {
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password.toCharArray());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
