package dev.herald.tracing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP trace receiver on loopback: takes {@code POST /v1/traces} with a protobuf
 * {@code ExportTraceServiceRequest} and decodes the parts the tests look at, with a protobuf reader written here
 * (field numbers from opentelemetry-proto's trace.proto, common.proto and resource.proto).
 */
final class OtlpReceiver implements AutoCloseable {
    /** A received span: ids in hex (an empty parent for a root), its kind's number, attributes and links. */
    record ReceivedSpan(String name, String traceId, String spanId, String parentSpanId, int kind,
                        Map<String, Object> attributes, List<Link> links, Map<String, Object> resource, int statusCode) {
        Object attribute(String key) {
            return attributes.get(key);
        }
    }

    record Link(String traceId, String spanId) {
    }

    private final HttpServer server;
    private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
    final List<String> contentTypes = new CopyOnWriteArrayList<>();

    OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/traces", exchange -> {
            try (exchange) {
                if (!"POST".equals(exchange.getRequestMethod())) {
                    exchange.sendResponseHeaders(405, -1);
                    return;
                }
                contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
                InputStream in = exchange.getRequestBody();
                if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                    in = new GZIPInputStream(in);
                }
                spans.addAll(decodeRequest(in.readAllBytes()));
                exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, -1);
            }
        });
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<ReceivedSpan> spans() {
        return List.copyOf(spans);
    }

    List<ReceivedSpan> named(String name) {
        return spans.stream().filter(s -> s.name().equals(name)).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    // ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
    static List<ReceivedSpan> decodeRequest(byte[] bytes) {
        List<ReceivedSpan> out = new ArrayList<>();
        Proto r = new Proto(bytes, 0, bytes.length);
        while (r.more()) {
            int tag = r.tag();
            if (tag >>> 3 == 1) {
                resourceSpans(r.message(), out);
            } else {
                r.skip(tag);
            }
        }
        return out;
    }

    // ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
    private static void resourceSpans(Proto r, List<ReceivedSpan> out) {
        Map<String, Object> resource = new LinkedHashMap<>();
        List<Proto> scopes = new ArrayList<>();
        while (r.more()) {
            int tag = r.tag();
            switch (tag >>> 3) {
                case 1 -> {
                    Proto res = r.message(); // Resource { repeated KeyValue attributes = 1; }
                    while (res.more()) {
                        int t = res.tag();
                        if (t >>> 3 == 1) {
                            keyValue(res.message(), resource);
                        } else {
                            res.skip(t);
                        }
                    }
                }
                case 2 -> scopes.add(r.message());
                default -> r.skip(tag);
            }
        }
        for (Proto scope : scopes) { // ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
            while (scope.more()) {
                int tag = scope.tag();
                if (tag >>> 3 == 2) {
                    out.add(span(scope.message(), resource));
                } else {
                    scope.skip(tag);
                }
            }
        }
    }

    // Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; SpanKind kind = 6;
    //        repeated KeyValue attributes = 9; repeated Link links = 13; Status status = 15; }
    private static ReceivedSpan span(Proto r, Map<String, Object> resource) {
        String traceId = "";
        String spanId = "";
        String parent = "";
        String name = "";
        int kind = 0;
        int status = 0;
        Map<String, Object> attributes = new LinkedHashMap<>();
        List<Link> links = new ArrayList<>();
        while (r.more()) {
            int tag = r.tag();
            switch (tag >>> 3) {
                case 1 -> traceId = HexFormat.of().formatHex(r.bytes());
                case 2 -> spanId = HexFormat.of().formatHex(r.bytes());
                case 4 -> parent = HexFormat.of().formatHex(r.bytes());
                case 5 -> name = new String(r.bytes(), StandardCharsets.UTF_8);
                case 6 -> kind = (int) r.varint();
                case 9 -> keyValue(r.message(), attributes);
                case 13 -> links.add(link(r.message()));
                case 15 -> {
                    Proto s = r.message(); // Status { string message = 2; StatusCode code = 3; }
                    while (s.more()) {
                        int t = s.tag();
                        if (t >>> 3 == 3) {
                            status = (int) s.varint();
                        } else {
                            s.skip(t);
                        }
                    }
                }
                default -> r.skip(tag);
            }
        }
        return new ReceivedSpan(name, traceId, spanId, parent, kind, attributes, links, resource, status);
    }

    // Link { bytes trace_id = 1; bytes span_id = 2; }
    private static Link link(Proto r) {
        String traceId = "";
        String spanId = "";
        while (r.more()) {
            int tag = r.tag();
            switch (tag >>> 3) {
                case 1 -> traceId = HexFormat.of().formatHex(r.bytes());
                case 2 -> spanId = HexFormat.of().formatHex(r.bytes());
                default -> r.skip(tag);
            }
        }
        return new Link(traceId, spanId);
    }

    // KeyValue { string key = 1; AnyValue value = 2; }
    // AnyValue { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; ... }
    private static void keyValue(Proto r, Map<String, Object> into) {
        String key = null;
        Object value = null;
        while (r.more()) {
            int tag = r.tag();
            if (tag >>> 3 == 1) {
                key = new String(r.bytes(), StandardCharsets.UTF_8);
            } else if (tag >>> 3 == 2) {
                Proto v = r.message();
                while (v.more()) {
                    int t = v.tag();
                    switch (t >>> 3) {
                        case 1 -> value = new String(v.bytes(), StandardCharsets.UTF_8);
                        case 2 -> value = v.varint() != 0;
                        case 3 -> value = v.varint();
                        case 4 -> value = Double.longBitsToDouble(v.fixed64());
                        default -> {
                            v.skip(t);
                            value = "(not decoded)";
                        }
                    }
                }
            } else {
                r.skip(tag);
            }
        }
        into.put(key, value);
    }

    /** Protobuf's wire format, as much as OTLP needs: varints, fixed64, and length-delimited fields. */
    private static final class Proto {
        private final byte[] b;
        private int pos;
        private final int end;

        Proto(byte[] b, int pos, int end) {
            this.b = b;
            this.pos = pos;
            this.end = end;
        }

        boolean more() {
            return pos < end;
        }

        int tag() {
            return (int) varint();
        }

        long varint() {
            long v = 0;
            for (int shift = 0; ; shift += 7) {
                byte x = b[pos++];
                v |= (long) (x & 0x7f) << shift;
                if (x >= 0) {
                    return v;
                }
            }
        }

        long fixed64() {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v |= (long) (b[pos++] & 0xff) << (8 * i);
            }
            return v;
        }

        byte[] bytes() {
            int n = (int) varint();
            byte[] out = java.util.Arrays.copyOfRange(b, pos, pos + n);
            pos += n;
            return out;
        }

        Proto message() {
            int n = (int) varint();
            Proto m = new Proto(b, pos, pos + n);
            pos += n;
            return m;
        }

        void skip(int tag) {
            switch (tag & 7) {
                case 0 -> varint();
                case 1 -> pos += 8;
                case 2 -> {
                    int n = (int) varint(); // why: not "pos += varint()", which reads pos before varint() moves it
                    pos += n;
                }
                case 5 -> pos += 4;
                default -> throw new IllegalStateException("unexpected wire type " + (tag & 7) + " at " + pos);
            }
        }
    }
}
