package dev.danmaku.gateway.ws;

import java.util.List;

import dev.danmaku.gateway.GatewayConfig;

/**
 * The limits every way in shares (a viewer's WebSocket, a player's HTTP send): who a client is by
 * address, and what each address and each user may hold and send on this gateway.
 */
public record EdgeLimits(ClientAddresses addresses, AddressLimits addressLimits, UserLimits users) {

    public static EdgeLimits of(GatewayConfig config) {
        GatewayConfig.Limits limits = config.limits();
        // behind a PROXY protocol balancer the peer is the client itself: nobody's X-Forwarded-For counts
        return new EdgeLimits(ClientAddresses.trusting(config.proxyProtocol() ? List.of() : config.trustedProxies()),
                new AddressLimits(limits.maxConnectionsPerAddress(), limits.joinsPerAddressPerSecond()),
                new UserLimits(limits.maxConnectionsPerUser(), limits.sendRatePerSecond(), limits.sendBurst()));
    }
}
