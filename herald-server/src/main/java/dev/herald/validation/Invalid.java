package dev.herald.validation;

/**
 * Input that breaks a rule: answered with 422 and a detail naming the field and the rule. Thrown by the
 * code that knows the rule (endpoint, ingest, tenant); the API turns it into a problem document.
 */
public final class Invalid extends RuntimeException {
    private final String field;

    public Invalid(String field, String rule) {
        super(field + ": " + rule);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
