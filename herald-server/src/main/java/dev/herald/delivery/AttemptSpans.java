package dev.herald.delivery;

import dev.herald.store.DispatchStore.Claim;
import dev.herald.store.DispatchStore.Outcome;
import dev.herald.tracing.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import java.util.Locale;

/**
 * The span of one delivery attempt: a trace of its own (an attempt may come minutes after its publish, on another
 * node), linked to the span that made its delivery (the publish, or the seal of a batch) through the traceparent
 * stored with it. Ids, the attempt's number, the status code and the kind of failure; never the URL, a header, the
 * body or the answer.
 */
final class AttemptSpans {
    private AttemptSpans() {
    }

    static Span start(Tracing tracing, Claim claim) {
        SpanBuilder b = tracing.tracer().spanBuilder("attempt").setSpanKind(SpanKind.CLIENT).setNoParent()
                .setAttribute(Tracing.TENANT_ID, claim.endpoint().tenantId())
                .setAttribute(Tracing.ENDPOINT_ID, claim.endpoint().id())
                .setAttribute(Tracing.DELIVERY_ID, claim.deliveryId())
                .setAttribute(Tracing.ATTEMPT, claim.attemptCount() + 1L);
        if (claim.traceparent() != null) {
            SpanContext cause = Tracing.spanContext(claim.traceparent());
            if (cause.isValid()) {
                b.addLink(cause);
            }
        }
        return b.startSpan();
    }

    static void end(Span span, Sender.Result result, Outcome outcome) {
        if (result.statusCode() != null) {
            span.setAttribute(Tracing.STATUS_CODE, result.statusCode().longValue());
        }
        boolean ok = result.statusCode() != null && result.statusCode() >= 200 && result.statusCode() < 300;
        if (!ok) {
            span.setAttribute(Tracing.ERROR_TYPE, result.statusCode() != null ? Integer.toString(result.statusCode())
                    : result.failure() == null ? "internal" : result.failure().attribute);
            span.setStatus(StatusCode.ERROR);
        }
        String kind = outcome.status() == dev.herald.store.Delivery.Status.PENDING
                ? (outcome.pauseReason() != null ? "paused" : "retrying")
                : outcome.status().toString().toLowerCase(Locale.ROOT);
        span.setAttribute(Tracing.OUTCOME, kind);
        span.end();
    }
}
