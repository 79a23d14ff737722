package dev.herald;

import dev.herald.config.HeraldConfig;
import dev.herald.store.EndpointStore;
import dev.herald.store.EndpointStore.Reencrypted;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At start, in the background, rewrites under the current key every endpoint secret held under an old key or
 * in plain text, so an old key can be retired. Small transactions of {@value #BATCH} endpoints each, in id
 * order, one pass: the API and the dispatcher keep running, and each waits at most one batch for a row it
 * wants. Several nodes may run it at once: each batch holds its rows, and a row already under the current key
 * is skipped.
 */
final class Reencryption implements AutoCloseable {
    static final int BATCH = 100;
    private static final Logger log = LoggerFactory.getLogger(Reencryption.class);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

    private final EndpointStore endpoints;
    private final String keyId;
    private final boolean oldKeys;
    private final Thread thread;
    private volatile boolean stopped;

    Reencryption(EndpointStore endpoints, String keyId, boolean oldKeys) {
        this.endpoints = endpoints;
        this.keyId = keyId;
        this.oldKeys = oldKeys;
        this.thread = Thread.ofPlatform().name("herald-reencryption").daemon().unstarted(this::runQuietly);
    }

    Reencryption start() {
        thread.start();
        return this;
    }

    /** Stops after the batch in flight (which commits or rolls back whole); the rest is done at the next start. */
    @Override
    public void close() {
        stopped = true;
        try {
            thread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void runQuietly() {
        try {
            run();
        } catch (RuntimeException e) {
            // why: a failure here loses nothing (rows stay readable under their old key); the next start goes on
            log.error("Re-encrypting endpoint secrets under key id {} stopped; keep {} and restart to finish: {}",
                    keyId, HeraldConfig.ENCRYPTION_OLD_KEYS_FILE, e.getMessage(), e);
        }
    }

    private void run() {
        long todo = endpoints.countNotUnderCurrentKey();
        if (todo == 0) {
            if (oldKeys) {
                log.info("Every endpoint secret is encrypted under key id {}; {} can be removed", keyId,
                        HeraldConfig.ENCRYPTION_OLD_KEYS_FILE);
            }
            return;
        }
        log.info("Re-encrypting the secrets of {} endpoint(s) under key id {} in the background", todo, keyId);
        long rewritten = 0;
        long unreadable = 0;
        long lastLog = System.nanoTime();
        String after = "";
        boolean done = false;
        while (!done && !stopped) {
            Reencrypted batch = endpoints.reencrypt(after, BATCH);
            rewritten += batch.rewritten();
            unreadable += batch.unreadable().size();
            batch.unreadable().forEach(why -> log.error("Cannot re-encrypt: {}", why));
            after = batch.lastId();
            done = batch.done();
            if (!done && System.nanoTime() - lastLog > PROGRESS_EVERY.toNanos()) {
                log.info("Re-encrypted {} of about {} endpoint(s) so far", rewritten, todo);
                lastLog = System.nanoTime();
            }
        }
        if (stopped) {
            log.info("Re-encryption stopped with Herald after {} endpoint(s); the rest is done at the next start", rewritten);
            return;
        }
        long left = endpoints.countNotUnderCurrentKey();
        if (left == 0) {
            log.info("Re-encrypted the secrets of {} endpoint(s) under key id {}{}", rewritten, keyId,
                    oldKeys ? "; " + HeraldConfig.ENCRYPTION_OLD_KEYS_FILE + " can be removed" : "");
        } else {
            log.warn("Re-encrypted the secrets of {} endpoint(s) under key id {}; {} endpoint(s) still hold secrets under"
                            + " another key or in plain text ({} could not be decrypted, logged above; any others were written"
                            + " meanwhile by a node with a different {} or none). They are tried again at the next start{}",
                    rewritten, keyId, left, unreadable, HeraldConfig.ENCRYPTION_KEY_FILE,
                    oldKeys ? "; keep " + HeraldConfig.ENCRYPTION_OLD_KEYS_FILE + " until then" : "");
        }
    }
}
