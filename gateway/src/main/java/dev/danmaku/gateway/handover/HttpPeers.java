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

/**
 * The other gateways, asked over HTTP: one hears Kafka when its {@code /readyz} answers 200. A peer's
 * host may name several gateways (a headless Service): each of its addresses is asked. This gateway
 * may be among them; it answers 503 while it hears nothing, so it never counts.
 */
public final class HttpPeers implements FeedHandover.Peers {

    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    private final List<URI> peers;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    public HttpPeers(List<URI> peers) {
        this.peers = List.copyOf(peers);
    }

    @Override
    public CompletableFuture<Boolean> anyHearsKafka() {
        CompletableFuture<Boolean> anyone = new CompletableFuture<>();
        List<CompletableFuture<?>> asked = new ArrayList<>();
        for (URI probe : probes()) {
            HttpRequest request = HttpRequest.newBuilder(probe).timeout(TIMEOUT).GET().build();
            asked.add(http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    .thenAccept(response -> {
                        if (response.statusCode() == 200) {
                            anyone.complete(true);
                        }
                    })
                    .exceptionally(unreachable -> null));
        }
        CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new)).whenComplete((done, failure) -> anyone.complete(false));
        return anyone;
    }

    /** Each peer's /readyz at each address its host has now. */
    private List<URI> probes() {
        List<URI> probes = new ArrayList<>();
        for (URI peer : peers) {
            try {
                for (InetAddress address : InetAddress.getAllByName(peer.getHost())) {
                    String host = address instanceof Inet6Address ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
                    probes.add(URI.create(peer.getScheme() + "://" + host + ":" + peer.getPort() + "/readyz"));
                }
            } catch (UnknownHostException e) {
                // a peer that cannot be found cannot take viewers either
            }
        }
        return probes;
    }
}
