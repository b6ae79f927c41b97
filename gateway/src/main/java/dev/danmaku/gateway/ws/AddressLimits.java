package dev.danmaku.gateway.ws;

/**
 * What one client address may do on this gateway: hold at most {@code maxConnections}, and share one
 * join budget among them, so a script cannot churn rooms (and every gateway's presence) by opening
 * many connections. Many viewers may sit behind one address (a NAT), so the burst is the connection
 * cap: they can all come back at once after their gateway died. An address's entry outlives its last
 * connection until its join budget is full again, so closing and reconnecting never refills it sooner.
 */
public final class AddressLimits {

    private final int maxConnections;
    private final double joinsPerSecond;
    private final RefillingEntries<String, Address> addresses; // guarded by this

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
        this.addresses = new RefillingEntries<>((long) (maxConnections / joinsPerSecond * 1e9));
    }

    /** Counts a new connection from {@code address}; false, changing nothing, when it holds the most already. */
    public synchronized boolean connect(String address, long nowNanos) {
        addresses.forgetRefilled(nowNanos);
        Address entry = addresses.inUse(address);
        if (entry == null) {
            entry = new Address(joinsPerSecond, maxConnections, nowNanos);
            addresses.put(address, entry);
        }
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

    /** Counts a closed connection of {@code address} off. */
    public synchronized void release(String address, long nowNanos) {
        Address entry = addresses.get(address);
        if (entry != null && --entry.connections <= 0) {
            addresses.idle(address, nowNanos);
        }
        addresses.forgetRefilled(nowNanos);
    }

    /** Addresses this gateway keeps an entry for: with a connection, or whose budget is refilling. */
    public synchronized int addressCount() {
        return addresses.size();
    }
}
