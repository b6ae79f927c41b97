package dev.danmaku.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.danmaku.common.auth.Identity;
import dev.danmaku.proto.v1.ClientFrame;
import dev.danmaku.proto.v1.Join;
import dev.danmaku.proto.v1.Send;
import dev.danmaku.proto.v1.ServerFrame;
import dev.danmaku.proto.v1.Verdict;
import dev.danmaku.testkit.ViewerClient;

/**
 * The moderator API in {@code dev}: served on every gateway port, a rule added there is enforced,
 * and a recall reaches the viewers of the room on both gateways.
 */
@Timeout(120)
class DevModerationIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aModeratorOnEitherGatewayPortAddsARuleAndRecallsADanmaku(@TempDir Path dataDir) throws Exception {
        try (DevPlatform platform = DevPlatforms.start(dataDir, 2)) {
            int first = platform.ports().get(0);
            int second = platform.ports().get(1);
            String viewerToken = platform.token("alice", "Alice", Set.of(Identity.VIEWER));
            String moderator = platform.token("mo", "Mo", Set.of(Identity.MODERATOR));

            try (ViewerClient alice = ViewerClient.connect("ws://127.0.0.1:" + first + "/ws", null);
                 ViewerClient bob = ViewerClient.connect("ws://127.0.0.1:" + second + "/ws", null)) {
                alice.send(ClientFrame.newBuilder().setJoin(Join.newBuilder().setRoomId("lobby").setToken(viewerToken)).build());
                bob.send(ClientFrame.newBuilder().setJoin(Join.newBuilder().setRoomId("lobby")).build());
                alice.await(ServerFrame::hasJoined, WAIT);
                bob.await(ServerFrame::hasJoined, WAIT);
                alice.send(ClientFrame.newBuilder().setSend(Send.newBuilder().setClientMsgId("c1").setText("hi all")).build());
                ServerFrame ack = alice.await(f -> f.hasAck() && f.getAck().getClientMsgId().equals("c1"), WAIT);
                assertThat(ack.getAck().getVerdict()).isEqualTo(Verdict.ACCEPTED);
                String msgId = ack.getAck().getMsgId();
                bob.await(f -> f.hasBatch() && f.getBatch().getDanmaku(0).getMsgId().equals(msgId), WAIT);

                HttpResponse<String> rule = http.send(moderation(second, "/rules", moderator)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"pattern\": \"spoiler\", \"action\": \"REJECT\", \"roomId\": \"lobby\"}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(rule.statusCode()).as(rule.body()).isEqualTo(201);
                alice.send(ClientFrame.newBuilder().setSend(Send.newBuilder().setClientMsgId("c2").setText("S.P.O.I.L.E.R")).build());
                ServerFrame refused = alice.await(f -> f.hasAck() && f.getAck().getClientMsgId().equals("c2"), WAIT);
                assertThat(refused.getAck().getVerdict()).isEqualTo(Verdict.REJECTED);

                HttpResponse<String> recall = http.send(moderation(first, "/recall", moderator)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"roomId\": \"lobby\", \"msgId\": \"" + msgId + "\"}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(recall.statusCode()).as(recall.body()).isEqualTo(202);
                assertThat(bob.await(ServerFrame::hasRecall, WAIT).getRecall().getMsgId()).isEqualTo(msgId);
                assertThat(alice.await(ServerFrame::hasRecall, WAIT).getRecall().getRoomId()).isEqualTo("lobby");
            }
        }
    }

    private static HttpRequest.Builder moderation(int port, String path, String token) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/moderation" + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json");
    }
}
