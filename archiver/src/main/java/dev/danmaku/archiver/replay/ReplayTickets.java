package dev.danmaku.archiver.replay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;

import dev.danmaku.common.auth.Identity;
import dev.danmaku.common.auth.InvalidTokenException;
import dev.danmaku.common.http.Json;

/**
 * Short-lived tickets that open a replay WebSocket, which browsers cannot give an Authorization
 * header: a staff token in a URL ends up in logs and histories, a ticket is worth little there. A
 * ticket names who asked (as their token did, expiry included) and dies {@link #LIFETIME} after it
 * was issued. Signed (HMAC-SHA256, with a key derived
 * from the archiver's own key), so any archiver of the installation accepts it without shared state.
 */
public final class ReplayTickets {

    public static final Duration LIFETIME = Duration.ofSeconds(60);
    private static final int MAX_TICKET_CHARS = 4096;
    private static final Base64.Encoder ENCODE = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODE = Base64.getUrlDecoder();

    private final SecretKeySpec key;
    private final Clock clock;

    /** @param secret the archiver's key (the same on every archiver); the tickets' key is derived from it */
    public ReplayTickets(byte[] secret, Clock clock) {
        this.key = new SecretKeySpec(mac(new SecretKeySpec(secret, "HmacSHA256"), "danmaku replay tickets"
                .getBytes(StandardCharsets.UTF_8)), "HmacSHA256");
        this.clock = clock;
    }

    public String issue(Identity identity) {
        var payload = Json.MAPPER.createObjectNode()
                .put("sub", identity.userId())
                .put("name", identity.name())
                .put("until", clock.millis() + LIFETIME.toMillis())
                .put("exp", identity.expiresAt() == null ? 0 : identity.expiresAt().toEpochMilli());
        var roles = payload.putArray("roles");
        identity.roles().forEach(roles::add);
        var rooms = payload.putArray("rooms");
        identity.rooms().forEach(rooms::add);
        byte[] body = payload.toString().getBytes(StandardCharsets.UTF_8);
        return ENCODE.encodeToString(body) + "." + ENCODE.encodeToString(mac(key, body));
    }

    /** Who a ticket speaks for, while it is fresh and was signed here. */
    public Identity verify(String ticket) throws InvalidTokenException {
        int dot = ticket.indexOf('.');
        if (ticket.length() > MAX_TICKET_CHARS || dot < 0) {
            throw new InvalidTokenException("not a replay ticket");
        }
        byte[] body;
        byte[] signature;
        try {
            body = DECODE.decode(ticket.substring(0, dot));
            signature = DECODE.decode(ticket.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException("not a replay ticket");
        }
        if (!MessageDigest.isEqual(signature, mac(key, body))) {
            throw new InvalidTokenException("the replay ticket's signature does not verify");
        }
        JsonNode payload;
        try {
            payload = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new InvalidTokenException("not a replay ticket");
        }
        if (payload.path("until").asLong() < clock.millis()) {
            throw new InvalidTokenException("the replay ticket expired: ask for a new one just before connecting");
        }
        long exp = payload.path("exp").asLong();
        if (exp != 0 && exp <= clock.millis()) {
            throw new InvalidTokenException("the token this replay ticket came from expired");
        }
        return new Identity(payload.path("sub").asText(), payload.path("name").asText(), strings(payload.path("roles")),
                strings(payload.path("rooms")), exp == 0 ? null : Instant.ofEpochMilli(exp));
    }

    private static Set<String> strings(JsonNode array) {
        List<String> values = new java.util.ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return Set.copyOf(values);
    }

    private static byte[] mac(SecretKeySpec key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JVM", e);
        }
    }
}
