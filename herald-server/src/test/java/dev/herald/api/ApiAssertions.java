package dev.herald.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestHerald;

/** Checks shared by the API tests: problem documents (RFC 9457) and their fields. */
final class ApiAssertions {
    private ApiAssertions() {
    }

    /** A problem document with {@code status} and a non-empty detail. */
    static void assertProblem(TestHerald.Response r, int status) {
        assertThat(r.status()).as("status of %s", r.text()).isEqualTo(status);
        assertThat(r.header("Content-Type")).as("content type of %s", r.text()).startsWith("application/problem+json");
        assertThat(r.json()).as("problem body").isNotNull();
        assertThat(r.json().get("status").intValue()).isEqualTo(status);
        assertThat(r.json().get("title").stringValue()).isNotBlank();
        assertThat(r.json().get("detail").stringValue()).isNotBlank();
    }

    /** A 422 naming {@code field}, in the field member and in the detail. */
    static void assertInvalid(TestHerald.Response r, String field) {
        assertProblem(r, 422);
        assertThat(r.json().get("field")).as("field of %s", r.text()).isNotNull();
        assertThat(r.json().get("field").stringValue()).as("field of %s", r.text()).isEqualTo(field);
        assertThat(r.json().get("detail").stringValue()).contains(field);
    }

    /** A JSON string literal for {@code s}. */
    static String quote(String s) {
        return dev.herald.json.Json.write(tools.jackson.databind.node.JsonNodeFactory.instance.stringNode(s));
    }
}
