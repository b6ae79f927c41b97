package dev.danmaku.gateway.handover;

import java.net.InetAddress;
import java.net.Inet6Address;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The other gateways, asked over HTTP: {@code /readyz/kafka} answers 200 and how long the gateway has
 * heard Kafka when it is ready ({@link #PATH}). A peer's host may name several gateways (a headless
 * Service): each of its addresses is asked. This gateway may be among them; it answers 503 while it
 * hears nothing, so it never counts.
 */
public final class HttpPeers implements FeedHandover.Peers {

    public static final String PATH = "/readyz/kafka";
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<URI> peers;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    public HttpPeers(List<URI> peers) {
        this.peers = List.copyOf(peers);
    }

    /** What a ready gateway answers on {@link #PATH}. */
    public static String answer(long heardMillis) {
        return "{\"heardForMs\":" + heardMillis + "}";
    }

    @Override
    public CompletableFuture<Long> longestHeardMillis() {
        List<CompletableFuture<Long>> asked = new ArrayList<>();
        for (URI probe : probes()) {
            HttpRequest request = HttpRequest.newBuilder(probe).timeout(TIMEOUT).GET().build();
            asked.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                    .thenApply(HttpPeers::heardMillis)
                    .exceptionally(unreachable -> -1L));
        }
        return CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new))
                .thenApply(done -> asked.stream().mapToLong(CompletableFuture::join).max().orElse(-1));
    }

    private static long heardMillis(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            return -1;
        }
        try {
            return JSON.readTree(response.body()).path("heardForMs").asLong(-1);
        } catch (JsonProcessingException e) {
            return -1;
        }
    }

    /** Each peer's {@link #PATH} at each address its host has now. */
    private List<URI> probes() {
        List<URI> probes = new ArrayList<>();
        for (URI peer : peers) {
            try {
                for (InetAddress address : InetAddress.getAllByName(peer.getHost())) {
                    String host = address instanceof Inet6Address ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
                    probes.add(URI.create(peer.getScheme() + "://" + host + ":" + peer.getPort() + PATH));
                }
            } catch (UnknownHostException e) {
                // a peer that cannot be found cannot take viewers either
            }
        }
        return probes;
    }
}
