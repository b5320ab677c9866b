package org.mailroom.storage.testing;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Skips each test of a PostgreSQL suite, before any of its set-up runs, when {@code MAILROOM_TEST_PG_URL} is unset
 * and {@code MAILROOM_REQUIRE_PG} is not (so the tests are reported one by one as skipped). With
 * {@code MAILROOM_REQUIRE_PG} set the tests run, and {@link TestDatabases#postgres()} fails them.
 * Needed where a contract's tear-down cannot cope with a set-up aborted half-way (James's MailboxManagerTest).
 */
public final class PostgresConfigured implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String url = System.getenv("MAILROOM_TEST_PG_URL");
        if (context.getTestMethod().isEmpty() || (url != null && !url.isBlank())
            || System.getenv("MAILROOM_REQUIRE_PG") != null) {
            return ConditionEvaluationResult.enabled("PostgreSQL configured or required");
        }
        return ConditionEvaluationResult.disabled(
            "PostgreSQL not configured (set MAILROOM_TEST_PG_URL to run the PostgreSQL suites)");
    }
}
