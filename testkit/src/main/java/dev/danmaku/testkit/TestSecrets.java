package dev.danmaku.testkit;

/** Secrets the test platforms are configured with: long enough to pass the services' checks, known only to tests. */
public final class TestSecrets {

    public static final String JWT = "tests-only-jwt-secret-0123456789abcdef";

    private TestSecrets() {
    }
}
