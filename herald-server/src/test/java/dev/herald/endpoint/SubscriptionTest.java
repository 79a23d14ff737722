package dev.herald.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The one rule for which types an endpoint's event_types selects, and the form of its entries. */
class SubscriptionTest {

    @Test
    void exactNamesPrefixWildcardsAndStar() {
        Subscription s = Subscription.of(List.of("order.*", "audit.entry"));

        assertThat(s.matches("order.paid")).isTrue();
        assertThat(s.matches("order.line.added")).isTrue();
        assertThat(s.matches("audit.entry")).isTrue();
        assertThat(s.matches("orders.x")).as("the prefix ends at the dot").isFalse();
        assertThat(s.matches("order")).isFalse();
        assertThat(s.matches("audit.entry.v2")).isFalse();
        assertThat(Subscription.of(List.of("*")).matches("anything:at-all")).isTrue();
        assertThat(Subscription.of(List.of()).matches("anything")).as("no entries: every type").isTrue();
        assertThat(Subscription.of(List.of("order.paid")).matches("order.paidx")).isFalse();
    }

    @Test
    void anEndpointSubscribesByTheSameRule() {
        EndpointSpec spec = new EndpointSpec("https://partner.example/h", "", List.of("order.*"), EndpointSpec.Format.EVENT,
                null, RetryPolicy.exponentialDefault(), java.util.Map.of(), null, java.time.Duration.ofSeconds(1), 1, null,
                EndpointSpec.Ordering.NONE, EndpointSpec.Status.ACTIVE);

        assertThat(spec.subscribes("order.paid")).isTrue();
        assertThat(spec.subscribes("orders.x")).isFalse();
    }

    @Test
    void onlyNamesNeedTheCatalogue() {
        assertThat(Subscription.names(List.of("order.*", "order.paid", "*", "audit.entry"))).containsExactly("order.paid", "audit.entry");
    }

    @ParameterizedTest
    @ValueSource(strings = {"*", "order.*", "a.*", "order.line.*", "a:b-c_d.*", "order.paid"})
    void wellFormedEntries(String entry) {
        assertThat(Subscription.ENTRY.matcher(entry).matches()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".*", "ord*", "order*", "*.paid", "order.*.paid", "**", "order.**", "order. *", "ümlaut.*"})
    void malformedEntries(String entry) {
        assertThat(Subscription.ENTRY.matcher(entry).matches()).isFalse();
    }
}
