package dev.herald.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A receiver on loopback that misbehaves the way real ones do, written on raw sockets so that nothing
 * between it and Herald smooths the misbehaviour over. Each request is read whole (headers and a
 * {@code Content-Length} body), then answered as {@link Behaviour} says.
 */
public final class HostileReceiver implements AutoCloseable {
    public enum Behaviour {
        /** Reads the request and never answers, holding the connection open. */
        HANG,
        /** Answers 200 with headers at once, then one byte of body every 200 ms. */
        TRICKLE,
        /** Answers 200 with a body holding NUL, invalid UTF-8 and a lone surrogate's bytes. */
        NUL_BODY,
        /** Answers 200 with a 100 MB body, streamed for as long as the reader reads. */
        HUGE_BODY,
        /** Reads the request, then resets the connection (RST) without a byte of answer. */
        RESET,
        /** Answers 200 and keeps the connection alive, but closes it when idle for {@link #IDLE_CLOSE}. */
        CLOSE_WHEN_IDLE
    }

    /** How long an idle keep-alive connection lives under {@link Behaviour#CLOSE_WHEN_IDLE}. */
    public static final Duration IDLE_CLOSE = Duration.ofMillis(300);
    public static final byte[] NUL_BODY = {'o', 'k', 0, (byte) 0xff, (byte) 0xfe, (byte) 0xed, (byte) 0xa0, (byte) 0x80, '!'};

    private final Behaviour behaviour;
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();

    public HostileReceiver(Behaviour behaviour) {
        this.behaviour = behaviour;
        try {
            this.server = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        threads.execute(this::acceptLoop);
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getLocalPort() + path;
    }

    /** Requests read whole so far. */
    public int requests() {
        return requests.get();
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                open.add(s);
                threads.execute(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            if (behaviour == Behaviour.CLOSE_WHEN_IDLE) {
                s.setSoTimeout((int) IDLE_CLOSE.toMillis());
            }
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            while (readRequest(in)) {
                requests.incrementAndGet();
                switch (behaviour) {
                    case HANG -> {
                        in.read(); // why: blocks until Herald gives up and closes, or the test ends
                        return;
                    }
                    case TRICKLE -> {
                        out.write(head(200, 1_000).getBytes(StandardCharsets.US_ASCII));
                        for (int i = 0; i < 1_000; i++) {
                            out.write('x');
                            out.flush();
                            Thread.sleep(200);
                        }
                    }
                    case NUL_BODY -> {
                        out.write(head(200, NUL_BODY.length).getBytes(StandardCharsets.US_ASCII));
                        out.write(NUL_BODY);
                    }
                    case HUGE_BODY -> {
                        long size = 100L << 20;
                        out.write(head(200, size).getBytes(StandardCharsets.US_ASCII));
                        byte[] chunk = new byte[64 << 10];
                        java.util.Arrays.fill(chunk, (byte) 'y');
                        for (long sent = 0; sent < size; sent += chunk.length) {
                            out.write(chunk);
                        }
                    }
                    case RESET -> {
                        s.setSoLinger(true, 0);
                        return;
                    }
                    case CLOSE_WHEN_IDLE -> out.write(head(200, 2).getBytes(StandardCharsets.US_ASCII));
                }
                if (behaviour == Behaviour.CLOSE_WHEN_IDLE) {
                    out.write("ok".getBytes(StandardCharsets.US_ASCII));
                }
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // the peer went away, the idle timer fired, or the test ended
        } finally {
            open.remove(s);
        }
    }

    private static String head(int status, long length) {
        return "HTTP/1.1 " + status + " OK\r\nContent-Type: text/plain\r\nContent-Length: " + length + "\r\n\r\n";
    }

    /** Reads one request (headers, then a Content-Length body); false at the end of the stream. */
    private static boolean readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int last4 = 0;
        int b;
        while (last4 != 0x0d0a0d0a) {
            if ((b = in.read()) < 0) {
                return false;
            }
            head.write(b);
            last4 = (last4 << 8) | b;
        }
        long length = 0;
        for (String line : head.toString(StandardCharsets.US_ASCII).split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Long.parseLong(line.substring(15).trim());
            }
        }
        in.skipNBytes(length);
        return true;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket s : open) {
            try {
                s.setSoLinger(true, 0);
                s.close();
            } catch (SocketException e) {
                // already gone
            } catch (IOException e) {
                // closing anyway
            }
        }
        threads.shutdownNow();
    }
}
