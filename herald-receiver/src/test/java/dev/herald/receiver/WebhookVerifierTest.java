package dev.herald.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.receiver.WebhookVerificationException.Reason;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class WebhookVerifierTest {
    // The Standard Webhooks test vector, as every one of its reference libraries tests it.
    static final String SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final String SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    static final long SPEC_TIMESTAMP = 1614265330;
    static final String SPEC_BODY = "{\"test\": 2432232314}";
    static final String SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    /** A signature in the spec's tests that verifies nothing, used around the good one in its multi-signature case. */
    static final String SPEC_OTHER = "Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=";

    // The spec's asymmetric signing vector: a 32-byte ed25519 seed and the v1a signature of the same message.
    static final String SPEC_ED25519_SEED = "VEVTVFNJR05JTkdLRVlET05PVFVTRVRISVNGT1JBTlk=";
    static final String SPEC_ED25519_SIGNATURE =
            "v1a,tQ9V2XOqn7jL/DQenEFpqIugdBVtiMmER5mhSkXBNwM0mkATuDe6KYYUuxqtaiHeYGb7KaaBRdM5WqyeFiL8Ag==";
    /** The seed's public key: derived once from the seed (outside this code) and pinned here. */
    static final String SPEC_ED25519_PUBLIC = "whpk_ZlN4eg7dSSqi0moX9hQUk3orrOouK3QVQSlJa248c/g=";

    static final String OTHER_SECRET = "whsec_" + Base64.getEncoder().encodeToString("a different secret, 32 bytes!!!!".getBytes(StandardCharsets.US_ASCII));

    static Clock at(long epochSecond) {
        return Clock.fixed(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC);
    }

    static WebhookVerifier specVerifier(String... keys) {
        return WebhookVerifier.forKeys(keys).withClock(at(SPEC_TIMESTAMP));
    }

    static Map<String, List<String>> headers(String id, long timestamp, String signature) {
        Map<String, List<String>> h = new LinkedHashMap<>();
        h.put("webhook-id", List.of(id));
        h.put("webhook-timestamp", List.of(Long.toString(timestamp)));
        h.put("webhook-signature", List.of(signature));
        return h;
    }

    static Map<String, List<String>> specHeaders(String signature) {
        return headers(SPEC_ID, SPEC_TIMESTAMP, signature);
    }

    static AbstractThrowableAssert<?, ? extends Throwable> refused(WebhookVerifier verifier, Map<String, ?> headers,
            String body, Reason reason) {
        return assertThatThrownBy(() -> verifier.verify(headers, body))
                .isInstanceOf(WebhookVerificationException.class)
                .satisfies(e -> assertThat(((WebhookVerificationException) e).reason()).isEqualTo(reason));
    }

    @Nested
    class StandardWebhooksVectors {
        @Test
        void theHmacVectorVerifiesAndNamesTheDeliveryAndItsTime() throws Exception {
            assertThat(TestSigner.v1(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)).as("the test's own signer").isEqualTo(SPEC_SIGNATURE);

            VerifiedWebhook verified = specVerifier(SPEC_SECRET).verify(specHeaders(SPEC_SIGNATURE), SPEC_BODY);

            assertThat(verified).isEqualTo(new VerifiedWebhook(SPEC_ID, Instant.ofEpochSecond(SPEC_TIMESTAMP)));
        }

        @Test
        void anyOneGoodSignatureAmongSeveralIsEnough() throws Exception {
            String header = "v1," + SPEC_OTHER + " v2," + SPEC_OTHER + " " + SPEC_SIGNATURE + " v1," + SPEC_OTHER;

            assertThat(specVerifier(SPEC_SECRET).verify(specHeaders(header), SPEC_BODY).id()).isEqualTo(SPEC_ID);
        }

        @Test
        void aWrongOrPartialSignatureIsRefused() {
            refused(specVerifier(SPEC_SECRET), specHeaders("v1,dawfeoifkpqwoekfpqoekf"), SPEC_BODY, Reason.SIGNATURE_MISMATCH)
                    .hasMessageStartingWith("signature does not match");
            refused(specVerifier(SPEC_SECRET), specHeaders(SPEC_SIGNATURE.substring(0, 8)), SPEC_BODY, Reason.MALFORMED_HEADER)
                    .hasMessageStartingWith("malformed header webhook-signature");
            refused(specVerifier(SPEC_SECRET), specHeaders("v1,"), SPEC_BODY, Reason.MALFORMED_HEADER);
            refused(specVerifier(SPEC_SECRET), specHeaders("invalid_signature"), SPEC_BODY, Reason.MALFORMED_HEADER);
        }

        @Test
        void anotherVersionOfTheSameBytesIsNotAV1Signature() {
            refused(specVerifier(SPEC_SECRET), specHeaders("v2," + SPEC_SIGNATURE.substring(3)), SPEC_BODY, Reason.SIGNATURE_MISMATCH)
                    .hasMessageContaining("carries v2 signatures and the keys given verify only v1");
        }

        @Test
        void theEd25519VectorVerifiesWithItsPublicKey() throws Exception {
            VerifiedWebhook verified = specVerifier(SPEC_ED25519_PUBLIC).verify(specHeaders(SPEC_ED25519_SIGNATURE), SPEC_BODY);

            assertThat(verified.id()).isEqualTo(SPEC_ID);
            refused(specVerifier(SPEC_ED25519_PUBLIC), specHeaders(SPEC_ED25519_SIGNATURE), SPEC_BODY + " ", Reason.SIGNATURE_MISMATCH);
        }

        @Test
        void theJdkSigningWithTheVectorsSeedReproducesItsSignature() throws Exception {
            // why: ed25519 is deterministic, so this ties the pinned public key, the seed and the JDK together
            PrivateKey seed = KeyFactory.getInstance("Ed25519").generatePrivate(
                    new EdECPrivateKeySpec(NamedParameterSpec.ED25519, Base64.getDecoder().decode(SPEC_ED25519_SEED)));

            assertThat(TestSigner.v1a(seed, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)).isEqualTo(SPEC_ED25519_SIGNATURE);
        }
    }

    @Nested
    class Signatures {
        private final long now = 1_790_000_000L;
        private final WebhookVerifier verifier = WebhookVerifier.forKeys(SPEC_SECRET).withClock(at(now));
        private final String body = "{\"event\":\"order.paid\",\"data\":{\"note\":\"é €\"},\"delivery_key\":\"d-1\"}";

        private Map<String, List<String>> signed(String secret) {
            return headers("d-1", now, TestSigner.v1(secret, "d-1", now, body));
        }

        @Test
        void aBodyGivenAsTextIsVerifiedAsItsUtf8Bytes() throws Exception {
            assertThat(verifier.verify(signed(SPEC_SECRET), body).id()).isEqualTo("d-1");
            assertThat(verifier.verify(signed(SPEC_SECRET), body.getBytes(StandardCharsets.UTF_8)).id()).isEqualTo("d-1");
        }

        @Test
        void aTamperedBodyIsRefused() {
            refused(verifier, signed(SPEC_SECRET), body.replace("order.paid", "order.refunded"), Reason.SIGNATURE_MISMATCH)
                    .hasMessageStartingWith("signature does not match")
                    .hasMessageContaining("raw bytes received");
        }

        @Test
        void aTamperedIdOrTimestampIsRefused() {
            Map<String, List<String>> h = signed(SPEC_SECRET);
            h.put("webhook-id", List.of("d-2"));
            refused(verifier, h, body, Reason.SIGNATURE_MISMATCH);

            Map<String, List<String>> t = signed(SPEC_SECRET);
            t.put("webhook-timestamp", List.of(Long.toString(now - 1)));
            refused(verifier, t, body, Reason.SIGNATURE_MISMATCH);
        }

        @Test
        void aSignatureByAnotherSecretIsRefused() {
            refused(verifier, signed(OTHER_SECRET), body, Reason.SIGNATURE_MISMATCH)
                    .hasMessageContaining("this endpoint's current one");
        }

        @Test
        void duringARotationEitherSecretAloneVerifiesTheTwoSignatures() throws Exception {
            String both = TestSigner.v1(OTHER_SECRET, "d-1", now, body) + " " + TestSigner.v1(SPEC_SECRET, "d-1", now, body);
            Map<String, List<String>> h = headers("d-1", now, both);

            assertThat(verifier.verify(h, body).id()).isEqualTo("d-1");
            assertThat(WebhookVerifier.forKeys(OTHER_SECRET).withClock(at(now)).verify(h, body).id()).isEqualTo("d-1");
        }

        @Test
        void aReceiverHoldingTheOldAndTheNewSecretAcceptsEither() throws Exception {
            WebhookVerifier switching = WebhookVerifier.forKeys(List.of(OTHER_SECRET, SPEC_SECRET)).withClock(at(now));

            assertThat(switching.verify(signed(SPEC_SECRET), body).id()).isEqualTo("d-1");
            assertThat(switching.verify(signed(OTHER_SECRET), body).id()).isEqualTo("d-1");
            refused(switching, headers("d-1", now, TestSigner.v1(SPEC_SECRET, "d-1", now, "{}")), body, Reason.SIGNATURE_MISMATCH)
                    .hasMessageContaining("with the 2 keys given");
        }

        @Test
        void aGarbledSignatureDoesNotHideAGoodOneBesideIt() throws Exception {
            String header = "v1,!!not*base64!! v1a,%%% " + TestSigner.v1(SPEC_SECRET, "d-1", now, body);

            assertThat(verifier.verify(headers("d-1", now, header), body).id()).isEqualTo("d-1");
        }

        @Test
        void malformedBase64AloneIsAMalformedHeader() {
            refused(verifier, headers("d-1", now, "v1,!!not*base64!!"), body, Reason.MALFORMED_HEADER)
                    .hasMessage("malformed header webhook-signature: it holds no \"<version>,<base64>\" signature,"
                            + " such as the \"v1,...\" Herald sends");
        }

        @Test
        void ed25519SignaturesVerifyWithTheWhpkKeyAndNothingElse() throws Exception {
            KeyPair pair = TestSigner.ed25519();
            Map<String, List<String>> h = headers("d-1", now, TestSigner.v1a(pair.getPrivate(), "d-1", now, body));

            assertThat(WebhookVerifier.forKeys(TestSigner.whpk(pair)).withClock(at(now)).verify(h, body).id()).isEqualTo("d-1");
            refused(WebhookVerifier.forKeys(TestSigner.whpk(TestSigner.ed25519())).withClock(at(now)), h, body, Reason.SIGNATURE_MISMATCH);
            refused(WebhookVerifier.forKeys(TestSigner.whpk(pair)).withClock(at(now)), h, body + "x", Reason.SIGNATURE_MISMATCH);
            refused(verifier, h, body, Reason.SIGNATURE_MISMATCH)
                    .hasMessageContaining("carries v1a signatures and the keys given verify only v1")
                    .hasMessageContaining("v1a a whpk_ public key");
        }

        @Test
        void aVerifierMayHoldASecretAndAPublicKeyAtOnce() throws Exception {
            KeyPair pair = TestSigner.ed25519();
            WebhookVerifier mixed = WebhookVerifier.forKeys(SPEC_SECRET, TestSigner.whpk(pair)).withClock(at(now));

            assertThat(mixed.verify(signed(SPEC_SECRET), body).id()).isEqualTo("d-1");
            assertThat(mixed.verify(headers("d-1", now, TestSigner.v1a(pair.getPrivate(), "d-1", now, body)), body).id()).isEqualTo("d-1");
        }

        @Test
        void anEd25519SignatureOfTheWrongLengthIsAMismatchNotAnError() {
            WebhookVerifier ed = WebhookVerifier.forKeys(TestSigner.whpk(TestSigner.ed25519())).withClock(at(now));

            refused(ed, headers("d-1", now, "v1a," + Base64.getEncoder().encodeToString(new byte[7])), body, Reason.SIGNATURE_MISMATCH);
        }
    }

    @Nested
    class Timestamps {
        private final long sent = 1_790_000_000L;
        private final String body = "{}";
        private final Map<String, List<String>> headers = headers("d-1", sent, TestSigner.v1(SPEC_SECRET, "d-1", sent, body));

        private WebhookVerifier at(long now) {
            return WebhookVerifier.forKeys(SPEC_SECRET).withClock(WebhookVerifierTest.at(now));
        }

        @Test
        void fiveMinutesEitherWayIsAcceptedByDefault() throws Exception {
            assertThat(at(sent).tolerance()).isEqualTo(Duration.ofMinutes(5));
            assertThat(at(sent + 300).verify(headers, body).timestamp()).isEqualTo(Instant.ofEpochSecond(sent));
            assertThat(at(sent - 300).verify(headers, body).id()).isEqualTo("d-1");
        }

        @Test
        void anOlderTimestampIsRefused() {
            refused(at(sent + 301), headers, body, Reason.TIMESTAMP_TOO_OLD)
                    .hasMessageStartingWith("timestamp too old: sent 301 s before this machine's time, more than the 300 s tolerance");
        }

        @Test
        void aTimestampFurtherAheadIsRefused() {
            refused(at(sent - 301), headers, body, Reason.TIMESTAMP_IN_FUTURE)
                    .hasMessageStartingWith("timestamp too far in the future: sent 301 s after this machine's time");
        }

        @Test
        void theToleranceCanBeNarrowed() throws Exception {
            WebhookVerifier strict = at(sent + 10).withTolerance(Duration.ofSeconds(10));
            assertThat(strict.verify(headers, body).id()).isEqualTo("d-1");
            refused(at(sent + 11).withTolerance(Duration.ofSeconds(10)), headers, body, Reason.TIMESTAMP_TOO_OLD);
            refused(at(sent - 11).withTolerance(Duration.ofSeconds(10)), headers, body, Reason.TIMESTAMP_IN_FUTURE);
        }

        @Test
        void aToleranceMustBePositive() {
            assertThatThrownBy(() -> at(sent).withTolerance(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("tolerance must be a positive duration");
            assertThatThrownBy(() -> at(sent).withTolerance(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void aTimestampThatIsNotUnixSecondsIsMalformed() {
            for (String bad : List.of("hello", "1790000000.5", "2026-11-23T10:00:00Z", "99999999999999999999", "9223372036854775807")) {
                Map<String, List<String>> h = new HashMap<>(headers);
                h.put("webhook-timestamp", List.of(bad));
                refused(at(sent), h, body, Reason.MALFORMED_HEADER)
                        .hasMessage("malformed header webhook-timestamp: it must be whole Unix seconds, as Herald sends it");
            }
        }

        @Test
        void theClockIsReadAtEachVerification() throws Exception {
            MovableClock clock = new MovableClock(Instant.ofEpochSecond(sent));
            WebhookVerifier verifier = WebhookVerifier.forKeys(SPEC_SECRET).withClock(clock);
            verifier.verify(headers, body);

            clock.advance(Duration.ofMinutes(6));

            refused(verifier, headers, body, Reason.TIMESTAMP_TOO_OLD);
        }
    }

    @Nested
    class Headers {
        private final long now = 1_790_000_000L;
        private final String body = "[]";
        private final String signature = TestSigner.v1(SPEC_SECRET, "d-1", now, body);
        private final WebhookVerifier verifier = WebhookVerifier.forKeys(SPEC_SECRET).withClock(at(now));

        @Test
        void namesAreMatchedIgnoringCase() throws Exception {
            Map<String, String> h = Map.of("Webhook-Id", "d-1", "WEBHOOK-TIMESTAMP", Long.toString(now), "webhook-Signature", signature);

            assertThat(verifier.verify(h, body).id()).isEqualTo("d-1");
        }

        @Test
        void valuesMayBeStringsListsOrArrays() throws Exception {
            Map<String, Object> h = new HashMap<>();
            h.put("webhook-id", "d-1");
            h.put("webhook-timestamp", new String[] {Long.toString(now)});
            h.put("webhook-signature", List.of("v1," + SPEC_OTHER, signature));

            assertThat(verifier.verify(h, body).id()).isEqualTo("d-1");
        }

        @Test
        void anotherValueTypeIsAProgrammingErrorThatSaysWhatToPass() {
            Map<String, Object> h = new HashMap<>(headers("d-1", now, signature));
            h.put("webhook-id", 42);

            assertThatThrownBy(() -> verifier.verify(h, body)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("header webhook-id has a value of type java.lang.Integer; pass header values as a String,"
                            + " a List<String> or a String[]");
        }

        @Test
        void heraldsXWebhookNamesServeWhenTheStandardOnesAreAbsent() throws Exception {
            Map<String, String> h = Map.of("X-Webhook-Delivery", "d-1", "X-Webhook-Timestamp", Long.toString(now),
                    "X-Webhook-Signature", signature);

            assertThat(verifier.verify(h, body)).isEqualTo(new VerifiedWebhook("d-1", Instant.ofEpochSecond(now)));
        }

        @Test
        void theStandardNamesWinOverHeraldsOlderOnes() {
            Map<String, List<String>> h = headers("d-1", now, "v1," + SPEC_OTHER);
            h.put("X-Webhook-Signature", List.of(signature));

            refused(verifier, h, body, Reason.SIGNATURE_MISMATCH);
        }

        @Test
        void eachMissingHeaderIsNamed() {
            for (String name : List.of("webhook-id", "webhook-timestamp", "webhook-signature")) {
                Map<String, List<String>> h = headers("d-1", now, signature);
                h.remove(name);
                refused(verifier, h, body, Reason.MISSING_HEADER).hasMessageStartingWith("missing header " + name + " (nor X-Webhook-");
            }
            refused(verifier, Map.of(), body, Reason.MISSING_HEADER).hasMessageContaining("Herald sends it on every request");
        }

        @Test
        void anEmptyIdOrSignatureIsMalformed() {
            Map<String, List<String>> h = headers("d-1", now, signature);
            h.put("webhook-id", List.of(" "));
            refused(verifier, h, body, Reason.MALFORMED_HEADER).hasMessage("malformed header webhook-id: it is empty");

            refused(verifier, headers("d-1", now, ""), body, Reason.MALFORMED_HEADER);
        }
    }

    @Nested
    class Keys {
        @Test
        void atLeastOneKeyIsNeeded() {
            assertThatThrownBy(() -> WebhookVerifier.forKeys()).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("give at least one key");
            assertThatThrownBy(() -> WebhookVerifier.forKeys(List.of())).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void aKeyWithoutItsPrefixIsRefusedByPosition() {
            assertThatThrownBy(() -> WebhookVerifier.forKeys(SPEC_SECRET, "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("key 2 of 2 must start with whsec_ (an HMAC secret) or whpk_ (an ed25519 public key)");
        }

        @Test
        void aKeyIsNeverEchoedInTheRejection() {
            assertThatThrownBy(() -> WebhookVerifier.forKeys("whsec_not*base64*at-all"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("key 1 of 1: the part after whsec_ is not valid base64; copy the whole key from Herald,"
                            + " without line breaks")
                    .message().doesNotContain("not*base64");
        }

        @Test
        void anEmptySecretIsRefused() {
            assertThatThrownBy(() -> WebhookVerifier.forKeys("whsec_")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("key 1 of 1 is empty after whsec_");
        }

        @Test
        void aWhpkKeyMustBe32Bytes() {
            for (int length : new int[] {0, 31, 33, 64}) {
                String key = "whpk_" + Base64.getEncoder().encodeToString(new byte[length]);
                assertThatThrownBy(() -> WebhookVerifier.forKeys(key)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("a whpk_ key is the base64 of a 32-byte ed25519 public key, and this one"
                                + " decodes to " + length + " bytes");
            }
        }

        @Test
        void aPrivateKeyIsRefusedWithTheReason() {
            assertThatThrownBy(() -> WebhookVerifier.forKeys("whsk_" + SPEC_ED25519_SEED)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is a private key (whsk_); a receiver needs only the public key (whpk_)");
        }

        @Test
        void surroundingWhitespaceFromACopyIsIgnored() throws Exception {
            WebhookVerifier verifier = WebhookVerifier.forKeys("  " + SPEC_SECRET + "\n").withClock(at(SPEC_TIMESTAMP));

            assertThat(verifier.verify(specHeaders(SPEC_SIGNATURE), SPEC_BODY).id()).isEqualTo(SPEC_ID);
        }
    }
}
