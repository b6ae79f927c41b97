package dev.danmaku.archiver.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.danmaku.common.auth.Identity;
import dev.danmaku.common.auth.InvalidTokenException;

class ReplayTicketsTest {

    private static final byte[] KEY = "an archiver key of thirty-two bytes or more".getBytes(StandardCharsets.UTF_8);
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private final Identity ana = new Identity("ana", "Ana", Set.of(Identity.ANALYST), Set.of("room-a"),
            NOW.plus(Duration.ofMinutes(30)));

    private static ReplayTickets at(Instant now) {
        return new ReplayTickets(KEY, Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void aTicketSpeaksForWhoAskedForAMinute() throws InvalidTokenException {
        String ticket = at(NOW).issue(ana);

        assertThat(at(NOW.plusSeconds(59)).verify(ticket)).isEqualTo(ana);
        assertThat(ticket).as("fit for a URL").matches("[A-Za-z0-9_.-]+");
        assertThatThrownBy(() -> at(NOW.plusSeconds(61)).verify(ticket)).isInstanceOf(InvalidTokenException.class)
                .hasMessageContaining("expired");
    }

    @Test
    void aTamperedOrForeignTicketIsRefused() {
        String ticket = at(NOW).issue(ana);
        String otherPayload = at(NOW).issue(new Identity("mallory", "M", Set.of(Identity.ADMIN), Set.of(), ana.expiresAt()));
        String spliced = otherPayload.substring(0, otherPayload.indexOf('.')) + ticket.substring(ticket.indexOf('.'));

        assertThatThrownBy(() -> at(NOW).verify(spliced)).hasMessageContaining("signature");
        assertThatThrownBy(() -> new ReplayTickets("another installation's key, long enough".getBytes(StandardCharsets.UTF_8),
                Clock.fixed(NOW, ZoneOffset.UTC)).verify(ticket)).hasMessageContaining("signature");
        assertThatThrownBy(() -> at(NOW).verify("no-dot")).hasMessageContaining("not a replay ticket");
        assertThatThrownBy(() -> at(NOW).verify("!!.!!")).hasMessageContaining("not a replay ticket");
    }

    @Test
    void noTicketOutlivesTheTokenItCameFrom() {
        Identity expiring = new Identity("ana", "Ana", Set.of(Identity.ANALYST), Set.of(), NOW.plusSeconds(10));
        String ticket = at(NOW).issue(expiring);

        assertThatThrownBy(() -> at(NOW.plusSeconds(11)).verify(ticket)).hasMessageContaining("token this replay ticket came from expired");
    }
}
