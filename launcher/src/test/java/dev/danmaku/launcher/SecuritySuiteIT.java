package dev.danmaku.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.danmaku.common.auth.Identity;
import dev.danmaku.common.auth.Tokens;
import dev.danmaku.testkit.ViewerClient;

/**
 * The attacks of docs/security.md against a running {@code dev} platform, each from outside as an
 * attacker would try it: bad tokens on every staff API, roles and rooms overstepped, malformed and
 * oversized input, SQL and path tricks, hostile frames. Each is refused with a clear status and a
 * problem body (never a stack trace), and leaves nothing behind.
 */
@Timeout(300)
class SecuritySuiteIT extends TwoDevGateways {

    private static final List<String> STAFF_READS = List.of("/api/v1/moderation/rules", "/api/v1/archive/rooms");
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.body()).as("no stack trace to a client").doesNotContain("\tat ", "Exception", "dev.danmaku.");
        return response;
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(first + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request);
    }

    private HttpResponse<String> post(String path, String token, String json) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(first + path)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** Claims as our tokens carry them, for an admin, for tampering with. */
    private static JWTCreator.Builder adminClaims(Instant issued, Duration life) {
        return JWT.create().withIssuer(Tokens.ISSUER).withAudience(Tokens.AUDIENCE).withSubject("mallory")
                .withClaim("roles", List.of(Identity.ADMIN)).withIssuedAt(issued).withExpiresAt(issued.plus(life));
    }

    @Test
    void everyBadTokenIsRefusedOnEveryStaffApi() throws Exception {
        String secret = DevSecret.of(dataDir);
        Instant now = Instant.now();
        Map<String, String> tokens = Map.of(
                "none", "",
                "garbage", "not.a.token",
                "forged", adminClaims(now, Duration.ofMinutes(5)).sign(Algorithm.HMAC256("another installation's secret, long enough")),
                "expired", adminClaims(now.minus(Duration.ofHours(2)), Duration.ofMinutes(5)).sign(Algorithm.HMAC256(secret)),
                "alg none", adminClaims(now, Duration.ofMinutes(5)).sign(Algorithm.none()),
                "HS512", adminClaims(now, Duration.ofMinutes(5)).sign(Algorithm.HMAC512(secret)),
                "wrong iss", adminClaims(now, Duration.ofMinutes(5)).withIssuer("someone-else").sign(Algorithm.HMAC256(secret)),
                "wrong aud", adminClaims(now, Duration.ofMinutes(5)).withAudience("another-app").sign(Algorithm.HMAC256(secret)),
                "too long a life", adminClaims(now, Duration.ofHours(3)).sign(Algorithm.HMAC256(secret)));
        for (String path : STAFF_READS) {
            for (var token : tokens.entrySet()) {
                HttpResponse<String> answer = get(path, token.getValue().isEmpty() ? null : token.getValue());
                assertThat(answer.statusCode()).as("%s on %s", token.getKey(), path).isEqualTo(401);
                assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                        assertThat(type).contains("json"));
                assertThat(answer.headers().firstValue("WWW-Authenticate")).isPresent();
            }
            assertThat(get(path, platform.adminToken()).statusCode()).as("the right token on %s", path).isEqualTo(200);
        }
    }

    @Test
    void staffActOnlyWhereTheirTokenAllowsAndNothingIsStored() throws Exception {
        String viewer = platform.token("vic", "Vic", Set.of(Identity.VIEWER));
        for (String path : STAFF_READS) {
            assertThat(get(path, viewer).statusCode()).as("a viewer on %s", path).isEqualTo(403);
        }
        String roomModerator = new Tokens(DevSecret.of(dataDir)).issue("mo", "Mo", Set.of(Identity.MODERATOR),
                Set.of("room-a"), Duration.ofMinutes(5), java.time.Clock.systemUTC());
        assertThat(post("/api/v1/moderation/rules", roomModerator,
                "{\"pattern\": \"outsider\", \"action\": \"REJECT\", \"roomId\": \"room-b\"}").statusCode())
                .as("another room").isEqualTo(403);
        assertThat(post("/api/v1/moderation/rules", roomModerator, "{\"pattern\": \"outsider\", \"action\": \"REJECT\"}")
                .statusCode()).as("a global rule").isEqualTo(403);
        assertThat(post("/api/v1/moderation/rules", viewer, "{\"pattern\": \"outsider\", \"action\": \"REJECT\"}")
                .statusCode()).isEqualTo(403);
        assertThat(post("/api/v1/moderation/rules", roomModerator,
                "{\"pattern\": \"insider\", \"action\": \"REJECT\", \"roomId\": \"room-a\"}").statusCode())
                .as("its own room").isEqualTo(201);
        assertThat(get("/api/v1/moderation/rules", platform.adminToken()).body()).contains("insider").doesNotContain("outsider");
    }

    @Test
    void malformedAndOversizedInputGetsAClearRefusal() throws Exception {
        String admin = platform.adminToken();
        HttpResponse<String> broken = post("/api/v1/moderation/rules", admin, "{\"pattern\": ");
        assertThat(broken.statusCode()).isEqualTo(400);
        assertThat(post("/api/v1/moderation/rules", admin, "[1, 2, 3]").statusCode()).isEqualTo(400);
        assertThat(post("/api/v1/moderation/rules", admin, "{\"pattern\": \"((a{1000}){1000}){1000}\", \"kind\": \"REGEX\","
                + " \"action\": \"REJECT\"}").statusCode()).as("a regex that would fill the heap").isEqualTo(400);
        assertThat(get("/api/v1/archive/rooms/lobby/danmaku?limit=99999999999999999999", admin).statusCode()).isEqualTo(400);
        assertThat(get("/api/v1/archive/rooms/" + "r".repeat(65) + "/danmaku", admin).statusCode()).isEqualTo(400);

        HttpResponse<String> bigHeader = http.send(HttpRequest.newBuilder(URI.create(first + "/api/v1/archive/rooms"))
                .header("Authorization", "Bearer " + admin).header("X-Padding", "x".repeat(70_000)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(bigHeader.statusCode()).as("a 70 KB header").isBetween(400, 499);
    }

    @Test
    void sqlAndPathTricksFindNothing() throws Exception {
        String admin = platform.adminToken();
        String injection = java.net.URLEncoder.encode("x'; DROP TABLE danmaku; --", java.nio.charset.StandardCharsets.UTF_8);
        HttpResponse<String> query = get("/api/v1/archive/rooms/lobby/danmaku?text=" + injection + "&user=" + injection, admin);
        assertThat(query.statusCode()).isEqualTo(200);
        assertThat(get("/api/v1/archive/rooms/lobby/danmaku", admin).statusCode()).as("the table is still there").isEqualTo(200);

        for (String path : List.of("/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/moderator/..%2f..%2f..%2fetc%2fpasswd",
                "/..%5c..%5c..%5cetc%5cpasswd", "/WEB-INF/web.xml", "/dev/danmaku/gateway/Gateway.class")) {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(first + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(path).isBetween(400, 404);
            assertThat(answer.body()).as(path).doesNotContain("root:").doesNotContain("CAFEBABE");
        }
    }

    @Test
    void hostileFramesCloseTheSocketWithACode() {
        String ws = first.replace("http://", "ws://") + "/ws";
        try (ViewerClient oversized = ViewerClient.connect(ws, ViewerClient.JSON)) {
            oversized.sendText("{\"join\":{\"roomId\":\"" + "x".repeat(5000) + "\"}}");
            assertThat(oversized.awaitClose(Duration.ofSeconds(10))).as("a frame over 4 KiB").isEqualTo(1009);
        }
        try (ViewerClient malformed = ViewerClient.connect(ws, ViewerClient.JSON)) {
            malformed.sendText("{\"join\": [not json");
            assertThat(malformed.awaitClose(Duration.ofSeconds(10))).as("a frame that is not a ClientFrame").isEqualTo(4008);
        }
        try (ViewerClient foreign = ViewerClient.connect(ws, ViewerClient.JSON)) {
            foreign.sendText("{\"send\":{\"clientMsgId\":\"c1\",\"text\":\"before joining\"}}");
            assertThat(foreign.await(frame -> frame.hasError(), Duration.ofSeconds(10)).getError().getCode())
                    .as("a send before a join").isNotEmpty();
        }
    }
}
