package dev.herald.ingest;

import dev.herald.store.EventStore;
import dev.herald.store.EventStore.Publish;
import dev.herald.store.EventStore.Stored;
import dev.herald.store.NewEvent;
import dev.herald.store.StoreException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: publishes are handed to one writer thread, which stores everything waiting in a single
 * transaction and only then answers each caller. With {@code synchronous=FULL} every commit is an fsync;
 * this way many requests share one, and each is still acknowledged only after its own rows are durable.
 * A group that fails is retried one publish at a time, so one bad publish never fails its neighbours.
 */
final class GroupCommit implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);
    /** Bounds one group, so a commit never waits long for a giant group to be written. */
    static final int MAX_EVENTS_PER_GROUP = 2000;

    private record Pending(Publish publish, CompletableFuture<Stored> result) {
    }

    private final EventStore store;
    private final LinkedBlockingQueue<Pending> waiting = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean running = true;

    GroupCommit(EventStore store) {
        this.store = store;
        this.writer = Thread.ofPlatform().name("herald-ingest-writer").daemon().unstarted(this::writeLoop);
        writer.start();
    }

    /** Stores the events durably (with the publishes waiting beside them) and answers once committed. */
    Stored publish(String tenantId, List<NewEvent> events, Instant now, String traceparent) {
        if (!running) {
            throw new StoreException("the store is closing", null);
        }
        Pending p = new Pending(new Publish(tenantId, events, now, traceparent), new CompletableFuture<>());
        waiting.add(p);
        try {
            return p.result().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    private void writeLoop() {
        List<Pending> group = new ArrayList<>();
        while (running || !waiting.isEmpty()) {
            try {
                Pending first = waiting.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
                int events = first.publish().events().size();
                Pending next;
                while (events < MAX_EVENTS_PER_GROUP && (next = waiting.poll()) != null) {
                    group.add(next);
                    events += next.publish().events().size();
                }
                write(group);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Throwable t) {
                // why: the writer must outlive anything thrown, or every later publish would wait forever
                log.error("Bug: the ingest writer failed on a group of {} publishes; they are answered with an error", group.size(), t);
                group.forEach(p -> p.result().completeExceptionally(t));
            } finally {
                group.clear();
            }
        }
    }

    private void write(List<Pending> group) {
        try {
            List<Stored> results = store.publish(group.stream().map(Pending::publish).toList());
            for (int i = 0; i < group.size(); i++) {
                group.get(i).result().complete(results.get(i));
            }
        } catch (RuntimeException e) {
            if (e instanceof StoreException s && s.outage()) {
                // why: the database is down or full, not one publish at fault: answer everyone waiting now
                // instead of trying each alone, so no publish waits for more than one connection timeout
                group.forEach(pending -> pending.result().completeExceptionally(e));
                for (Pending pending; (pending = waiting.poll()) != null; ) {
                    pending.result().completeExceptionally(e);
                }
                return;
            }
            if (group.size() == 1) {
                group.getFirst().result().completeExceptionally(e);
                return;
            }
            log.debug("A group of {} publishes failed; writing them one by one", group.size(), e);
            for (Pending pending : group) {
                write(List.of(pending));
            }
        }
    }

    /** Writes what is waiting, then stops taking publishes. */
    @Override
    public void close() {
        running = false;
        try {
            writer.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
