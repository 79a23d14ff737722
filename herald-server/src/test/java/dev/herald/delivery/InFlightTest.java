package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The capacity rules, counted in one place: per endpoint, per tenant, in all, and the reserve for small tenants. */
class InFlightTest {
    private final InFlight inFlight = new InFlight(new InFlight.Limits(100, 40, 20, 5));

    @Test
    void anEndpointGetsNoMoreThanItsCapAndGetsItBackOnRelease() {
        assertThat(inFlight.reserve("acme", "ep-1", 8, 20)).isEqualTo(8);
        assertThat(inFlight.reserve("acme", "ep-1", 8, 1)).isZero();

        inFlight.release("acme", "ep-1", 3);

        assertThat(inFlight.reserve("acme", "ep-1", 8, 20)).isEqualTo(3);
    }

    @Test
    void aTenantGetsNoMoreThanItsShareWhateverItsEndpointsAllow() {
        int got = 0;
        for (int e = 0; e < 10; e++) {
            got += inFlight.reserve("hog", "ep-" + e, 100, 100);
        }

        assertThat(got).isEqualTo(40);
        assertThat(inFlight.ofTenant("hog")).isEqualTo(40);
    }

    @Test
    void theLastSlotsAreKeptForTenantsThatHoldFew() {
        for (String hog : List.of("a", "b")) {
            inFlight.reserve(hog, hog + "-ep", 100, 100);
        }
        assertThat(inFlight.total()).isEqualTo(80);
        assertThat(inFlight.reserve("c", "c-ep", 100, 100)).as("a third large tenant stops at the reserve").isEqualTo(5);
        // total is 85; 15 slots are left, all in the reserve

        assertThat(inFlight.reserve("d", "d-ep", 100, 100)).as("a newcomer gets up to the reserve's per-tenant amount").isEqualTo(5);
        assertThat(inFlight.reserve("e", "e-ep", 100, 100)).isEqualTo(5);
        assertThat(inFlight.reserve("f", "f-ep", 100, 100)).isEqualTo(5);
        assertThat(inFlight.total()).isEqualTo(100);
        assertThat(inFlight.full()).isTrue();
    }

    @Test
    void releasedEntriesAreForgottenAndAnUnbalancedReleaseIsABug() {
        inFlight.reserve("acme", "ep-1", 8, 2);
        inFlight.release("acme", "ep-1", 2);

        assertThat(inFlight.trackedEndpoints()).isZero();
        assertThat(inFlight.total()).isZero();
        assertThatThrownBy(() -> inFlight.release("acme", "ep-1", 1)).isInstanceOf(IllegalStateException.class);
    }
}
