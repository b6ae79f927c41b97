package dev.danmaku.gateway.ws;

import java.util.HashMap;
import java.util.Map;

/**
 * What one signed-in user may do on this gateway, however many connections they open: hold at most
 * {@code maxConnections} of them, and share one send budget and one join budget among them. A user
 * counts from their first join on a connection. Their entry outlives their last connection until both
 * budgets are full again, so closing and reconnecting never refills them sooner. A send through the
 * player API counts as a connection while it waits for its verdict. Anonymous viewers, who cannot
 * send, are limited per connection and per address only.
 */
public final class UserLimits {

    /** Joins one user may make across their connections: a burst, then one a second. */
    static final int JOIN_BURST = 10;
    static final double JOINS_PER_SECOND = 1;

    public enum Admission { ADMITTED, TOO_MANY_CONNECTIONS, TOO_MANY_JOINS }

    /** A join's admission and, when admitted, the send budget the connection now shares. */
    public record Decision(Admission admission, SendRate sends) {
    }

    private final int maxConnections;
    private final double sendsPerSecond;
    private final int sendBurst;
    private final RefillingEntries<String, User> users; // guarded by this
    private final Map<String, String> userOfSession = new HashMap<>(); // guarded by this

    private static final class User {
        int connections;
        final SendRate sends;
        final SendRate joins;

        User(double sendsPerSecond, int sendBurst, long nowNanos) {
            sends = new SendRate(sendsPerSecond, sendBurst, nowNanos);
            joins = new SendRate(JOINS_PER_SECOND, JOIN_BURST, nowNanos);
        }
    }

    public UserLimits(int maxConnections, double sendsPerSecond, int sendBurst) {
        this.maxConnections = maxConnections;
        this.sendsPerSecond = sendsPerSecond;
        this.sendBurst = sendBurst;
        this.users = new RefillingEntries<>((long) (Math.max(sendBurst / sendsPerSecond, JOIN_BURST / JOINS_PER_SECOND) * 1e9));
    }

    /**
     * A join on connection {@code sessionId} as {@code userId}: counts the connection against that user
     * (moving it from the one it counted against before) and takes one of the user's joins. Refused,
     * changing nothing, when the user holds the most connections already or joins too often.
     */
    public synchronized Decision admit(String sessionId, String userId, long nowNanos) {
        return open(sessionId, userId, nowNanos, true);
    }

    /**
     * A send that comes on no connection (the player API): counted as one of the user's connections
     * until {@link #release}, so a user holds at most their cap of sends waiting; it takes no join.
     */
    public synchronized Decision admitSend(String requestId, String userId, long nowNanos) {
        return open(requestId, userId, nowNanos, false);
    }

    private Decision open(String sessionId, String userId, long nowNanos, boolean join) {
        users.forgetRefilled(nowNanos);
        String before = userOfSession.get(sessionId);
        User user = users.get(userId);
        if (!userId.equals(before) && user != null && user.connections >= maxConnections) {
            return new Decision(Admission.TOO_MANY_CONNECTIONS, null);
        }
        User joining = user != null ? user : new User(sendsPerSecond, sendBurst, nowNanos);
        if (join && !joining.joins.tryAcquire(nowNanos)) {
            return new Decision(Admission.TOO_MANY_JOINS, null);
        }
        if (!userId.equals(before)) {
            release(sessionId, nowNanos);
            joining.connections++;
            users.put(userId, joining);
            userOfSession.put(sessionId, userId);
        }
        return new Decision(Admission.ADMITTED, joining.sends);
    }

    /** Forgets a closed connection (or an answered send); its user's entry is kept until its budgets refill. */
    public synchronized void release(String sessionId, long nowNanos) {
        String userId = userOfSession.remove(sessionId);
        User user = userId == null ? null : users.get(userId);
        if (user != null && --user.connections <= 0) {
            users.idle(userId, nowNanos);
        }
        users.forgetRefilled(nowNanos);
    }

    /** Users this gateway keeps an entry for: with a connection, or whose budgets are refilling. */
    public synchronized int userCount() {
        return users.size();
    }
}
