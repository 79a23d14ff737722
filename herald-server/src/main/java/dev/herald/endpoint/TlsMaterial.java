package dev.herald.endpoint;

import dev.herald.validation.Invalid;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** PEM certificates and keys, parsed strictly so that a bad one is refused at registration, not at delivery. */
public final class TlsMaterial {
    private static final Pattern PRIVATE_KEY = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    private static final Pattern CERTIFICATE = Pattern.compile(
            "-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\\s]+-----END CERTIFICATE-----");
    private static final String[] KEY_ALGORITHMS = {"RSA", "EC", "Ed25519", "Ed448"};

    private TlsMaterial() {
    }

    /** One or more PEM certificates; at least one. */
    public static List<X509Certificate> certificates(String field, String pem) {
        List<X509Certificate> out = new ArrayList<>();
        Matcher m = CERTIFICATE.matcher(pem);
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            while (m.find()) {
                out.add((X509Certificate) cf.generateCertificate(
                        new ByteArrayInputStream(m.group().getBytes(StandardCharsets.US_ASCII))));
            }
        } catch (CertificateException | ClassCastException e) {
            throw new Invalid(field, "holds a certificate that does not parse: " + e.getMessage());
        }
        if (out.isEmpty()) {
            throw new Invalid(field, "must hold at least one PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return out;
    }

    /** A PKCS#8 PEM private key (RSA, EC or EdDSA). */
    public static PrivateKey privateKey(String field, String pem) {
        Matcher m = PRIVATE_KEY.matcher(pem);
        if (!m.find()) {
            throw new Invalid(field, "must be a PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----);"
                    + " convert others with: openssl pkcs8 -topk8 -nocrypt");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(m.group(1));
        } catch (IllegalArgumentException e) {
            throw new Invalid(field, "is not valid base64 inside its PEM armour");
        }
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                // why: PKCS#8 names its algorithm inside; trying each factory is the JDK's way to read it
            }
        }
        throw new Invalid(field, "is not an RSA, EC or EdDSA private key that parses");
    }

    /** Refuses a key that does not belong to the certificate: sign with one, verify with the other. */
    public static void checkPair(String field, X509Certificate certificate, PrivateKey key) {
        PublicKey publicKey = certificate.getPublicKey();
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm(); // Ed25519, Ed448, EdDSA
        };
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            // falls through: a key of another algorithm than the certificate's cannot match it
        }
        throw new Invalid(field, "does not match tls.client_certificate: the key and the first certificate must be a pair");
    }
}
