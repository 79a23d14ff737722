package dev.herald.signing;

/**
 * How an endpoint's requests are signed (Standard Webhooks): with a shared HMAC secret ({@code whsec_}, signatures
 * {@code v1,}), or with an ed25519 key pair whose private key only Herald holds ({@code whsk_}) and whose public key
 * ({@code whpk_}) the partner verifies with (signatures {@code v1a,}). A stored key says its own scheme by its
 * prefix, so an endpoint's scheme is that of its current key.
 */
public enum Signing {
    HMAC_SHA256("hmac-sha256"),
    ED25519("ed25519");

    private final String name;

    Signing(String name) {
        this.name = name;
    }

    /** The scheme of a stored signing key: {@code whsk_} is an ed25519 private key, anything else an HMAC secret. */
    public static Signing of(String key) {
        return key != null && key.startsWith(Ed25519Keys.PRIVATE_PREFIX) ? ED25519 : HMAC_SHA256;
    }

    /** A new key of this scheme, as stored: a {@code whsec_} secret, or a {@code whsk_} private key. */
    public String newKey() {
        return this == ED25519 ? Ed25519Keys.generate() : Secrets.generate();
    }

    @Override
    public String toString() {
        return name;
    }
}
