package dev.danmaku.gateway.ws;

import java.util.HashMap;
import java.util.Map;

/**
 * What one client address may do on this gateway: hold at most {@code maxConnections}, and share one
 * join budget among them, so a script cannot churn rooms (and every gateway's presence) by opening
 * many connections. Many viewers may sit behind one address (a NAT), so the burst is the connection
 * cap: they can all come back at once after their gateway died. An entry goes with the address's last
 * connection.
 */
public final class AddressLimits {

    private final int maxConnections;
    private final double joinsPerSecond;
    private final Map<String, Address> addresses = new HashMap<>(); // guarded by this

    private static final class Address {
        int connections;
        final SendRate joins;

        Address(double joinsPerSecond, int burst, long nowNanos) {
            joins = new SendRate(joinsPerSecond, burst, nowNanos);
        }
    }

    public AddressLimits(int maxConnections, double joinsPerSecond) {
        this.maxConnections = maxConnections;
        this.joinsPerSecond = joinsPerSecond;
    }

    /** Counts a new connection from {@code address}; false, changing nothing, when it holds the most already. */
    public synchronized boolean connect(String address, long nowNanos) {
        Address entry = addresses.computeIfAbsent(address, a -> new Address(joinsPerSecond, maxConnections, nowNanos));
        if (entry.connections >= maxConnections) {
            return false;
        }
        entry.connections++;
        return true;
    }

    /** Takes one of the address's joins, if it has one left. */
    public synchronized boolean tryJoin(String address, long nowNanos) {
        Address entry = addresses.get(address);
        return entry != null && entry.joins.tryAcquire(nowNanos);
    }

    /** Forgets a closed connection of {@code address}. */
    public synchronized void release(String address) {
        addresses.computeIfPresent(address, (a, entry) -> --entry.connections <= 0 ? null : entry);
    }

    /** Addresses with at least one connection here. */
    public synchronized int addressCount() {
        return addresses.size();
    }
}
