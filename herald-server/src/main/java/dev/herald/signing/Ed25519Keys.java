package dev.herald.signing;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * Ed25519 key pairs for Standard Webhooks' asymmetric signatures, with the JDK's own provider. The private key is
 * kept as {@code whsk_} + base64 of the 32-byte seed followed by the 32-byte public key (the 64-byte layout that
 * libsodium and the Standard Webhooks libraries use), so the public key is at hand without deriving it; the partner
 * is shown {@code whpk_} + base64 of the raw 32-byte public key.
 */
public final class Ed25519Keys {
    public static final String PRIVATE_PREFIX = "whsk_";
    public static final String PUBLIC_PREFIX = "whpk_";
    private static final int KEY_BYTES = 32;
    /** The DER header of an X.509 SubjectPublicKeyInfo for Ed25519 (RFC 8410); the raw key follows it. */
    private static final int X509_HEADER_BYTES = 12;

    private Ed25519Keys() {
    }

    /** A new key pair, as stored: {@code whsk_...}. */
    public static String generate() {
        try {
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            byte[] seed = ((EdECPrivateKey) pair.getPrivate()).getBytes().orElseThrow(() -> new IllegalStateException(
                    "the JDK's Ed25519 private key does not expose its seed; should never happen with the JDK's own provider"));
            byte[] x509 = pair.getPublic().getEncoded();
            byte[] both = Arrays.copyOf(seed, 2 * KEY_BYTES);
            System.arraycopy(x509, X509_HEADER_BYTES, both, KEY_BYTES, KEY_BYTES);
            return PRIVATE_PREFIX + Base64.getEncoder().encodeToString(both);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is missing from this JDK; every JDK from 15 provides it", e);
        }
    }

    /** The public key of a stored private key, as a partner verifies with it: {@code whpk_...}. */
    public static String publicKey(String privateKey) {
        byte[] both = decode(privateKey);
        return PUBLIC_PREFIX + Base64.getEncoder().encodeToString(Arrays.copyOfRange(both, KEY_BYTES, 2 * KEY_BYTES));
    }

    /** The ed25519 signature of {@code prefix + body} under a stored private key. */
    static byte[] sign(String privateKey, byte[] prefix, byte[] body) {
        byte[] seed = Arrays.copyOf(decode(privateKey), KEY_BYTES);
        try {
            PrivateKey key = KeyFactory.getInstance("Ed25519").generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed));
            Signature signature = Signature.getInstance("Ed25519");
            signature.initSign(key);
            signature.update(prefix);
            signature.update(body);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is missing from this JDK or refused a stored key; every JDK from 15"
                    + " provides it, and Herald made the key", e);
        }
    }

    private static byte[] decode(String privateKey) {
        byte[] both = privateKey != null && privateKey.startsWith(PRIVATE_PREFIX)
                ? Base64.getDecoder().decode(privateKey.substring(PRIVATE_PREFIX.length())) : new byte[0];
        if (both.length != 2 * KEY_BYTES) {
            // why: the message never holds the key; it is Herald's own stored value, so this is a bug or a tampered row
            throw new IllegalStateException("a stored ed25519 key is not whsk_ and the base64 of " + 2 * KEY_BYTES
                    + " bytes; should never happen: Herald makes these keys");
        }
        return both;
    }
}
