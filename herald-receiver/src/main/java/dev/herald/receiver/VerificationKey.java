package dev.herald.receiver;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One key a receiver verifies with: an endpoint's HMAC secret ({@code whsec_}, signatures {@code v1,}) or its
 * ed25519 public key ({@code whpk_}, signatures {@code v1a,}). Immutable and thread-safe.
 */
abstract class VerificationKey {
    static final String SECRET_PREFIX = "whsec_";
    static final String PUBLIC_KEY_PREFIX = "whpk_";
    private static final String PRIVATE_KEY_PREFIX = "whsk_";
    private static final int ED25519_KEY_BYTES = 32;
    /** The DER header of an X.509 SubjectPublicKeyInfo for Ed25519 (RFC 8410), followed by the raw 32-byte key. */
    private static final byte[] ED25519_X509_HEADER = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    /** The signature version this key verifies: {@code v1} or {@code v1a}. */
    abstract String version();

    /** Whether {@code signature} signs {@code prefix + body} under this key. */
    abstract boolean verifies(byte[] signature, byte[] prefix, byte[] body);

    /**
     * Parses a key as Herald shows it; {@code name} says which one in the rejection (never the key itself, which may
     * be a secret).
     */
    static VerificationKey parse(String name, String text) {
        if (text == null) {
            throw new IllegalArgumentException(name + " is null; give the endpoint's secret (whsec_...) or public key (whpk_...)");
        }
        String key = text.strip();
        if (key.startsWith(SECRET_PREFIX)) {
            byte[] bytes = decode(name, SECRET_PREFIX, key);
            if (bytes.length == 0) {
                throw new IllegalArgumentException(name + " is empty after whsec_; copy the whole secret from Herald");
            }
            return new Hmac(bytes);
        }
        if (key.startsWith(PUBLIC_KEY_PREFIX)) {
            byte[] bytes = decode(name, PUBLIC_KEY_PREFIX, key);
            if (bytes.length != ED25519_KEY_BYTES) {
                throw new IllegalArgumentException(name + ": a whpk_ key is the base64 of a " + ED25519_KEY_BYTES
                        + "-byte ed25519 public key, and this one decodes to " + bytes.length + " bytes; copy the whole"
                        + " public_key from Herald");
            }
            return new Ed25519(bytes);
        }
        if (key.startsWith(PRIVATE_KEY_PREFIX)) {
            throw new IllegalArgumentException(name + " is a private key (whsk_); a receiver needs only the public key"
                    + " (whpk_), and a private key must never be deployed to one");
        }
        throw new IllegalArgumentException(name + " must start with whsec_ (an HMAC secret) or whpk_ (an ed25519 public"
                + " key), as Herald shows it when the endpoint is created or its secret rotated");
    }

    private static byte[] decode(String name, String prefix, String key) {
        try {
            return Base64.getDecoder().decode(key.substring(prefix.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": the part after " + prefix + " is not valid base64; copy the whole"
                    + " key from Herald, without line breaks", e);
        }
    }

    /** Standard Webhooks {@code v1}: HMAC-SHA256 with the secret's decoded bytes as the key. */
    private static final class Hmac extends VerificationKey {
        private final SecretKeySpec key;

        Hmac(byte[] key) {
            this.key = new SecretKeySpec(key, "HmacSHA256");
        }

        @Override
        String version() {
            return "v1";
        }

        @Override
        boolean verifies(byte[] signature, byte[] prefix, byte[] body) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256"); // why: a Mac is not thread-safe; one per call is cheap
                mac.init(key);
                mac.update(prefix);
                // why: a time-constant comparison leaks nothing about how many leading bytes matched
                return MessageDigest.isEqual(mac.doFinal(body), signature);
            } catch (NoSuchAlgorithmException | InvalidKeyException e) {
                throw new IllegalStateException("HmacSHA256 is missing or refused a key; every JDK provides it", e);
            }
        }
    }

    /** Standard Webhooks {@code v1a}: an ed25519 signature, checked with the public key only. */
    private static final class Ed25519 extends VerificationKey {
        private final PublicKey key;

        Ed25519(byte[] raw) {
            byte[] der = new byte[ED25519_X509_HEADER.length + raw.length];
            System.arraycopy(ED25519_X509_HEADER, 0, der, 0, ED25519_X509_HEADER.length);
            System.arraycopy(raw, 0, der, ED25519_X509_HEADER.length, raw.length);
            try {
                this.key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("the whpk_ key is not an ed25519 public key: " + e.getMessage(), e);
            }
        }

        @Override
        String version() {
            return "v1a";
        }

        @Override
        boolean verifies(byte[] signature, byte[] prefix, byte[] body) {
            try {
                Signature verifier = Signature.getInstance("Ed25519");
                verifier.initVerify(key);
                verifier.update(prefix);
                verifier.update(body);
                return verifier.verify(signature);
            } catch (SignatureException e) {
                return false; // why: a signature of the wrong length or shape is a mismatch, not an error
            } catch (NoSuchAlgorithmException | InvalidKeyException e) {
                throw new IllegalStateException("Ed25519 is missing or refused a key; every JDK from 15 provides it", e);
            }
        }
    }
}
