package dev.danmaku.bench.faults;

import java.time.Duration;
import java.util.List;

/**
 * A named schedule of faults, each at a time after the senders start, on one broker or a three-node
 * cluster; {@code proxied}: each filter and gateway reaches the broker through a TCP proxy that a fault
 * can cut or slow down.
 */
record Scenario(String name, String description, int brokers, boolean proxied, boolean quietOnFirstGateway,
        List<Step> steps) {

    Scenario(String name, String description, int brokers, boolean proxied, List<Step> steps) {
        this(name, description, brokers, proxied, false, steps);
    }

    Scenario(String name, String description, int brokers, List<Step> steps) {
        this(name, description, brokers, false, steps);
    }

    /** Something done to the platform: kill, pause, start again. */
    interface Fault {
        void apply(Platform platform) throws Exception;
    }

    record Step(double atSeconds, String label, Fault fault) {
    }

    static Step at(double seconds, String label, Fault fault) {
        return new Step(seconds, label, fault);
    }

    private static final Fault KILL_VICTIM = p -> p.kill(p.victim());
    private static final Fault START_REPLACEMENT = p -> {
        p.addFilter("filter-3");
        p.startService("filter-3");
    };

    /** Every scenario the suite knows, in the order it runs them. "The busy room's filter" owns its partition. */
    static List<Scenario> all() {
        return List.of(
                new Scenario("filter-kill",
                        "kill -9 of the busy room's filter at 10 s; a replacement with a new id at 15 s (a Deployment)", 1,
                        List.of(at(10, "kill -9 the busy room's filter", KILL_VICTIM),
                                at(15, "start filter-3", START_REPLACEMENT))),
                new Scenario("filter-kill-same-id", "kill -9 of the busy room's filter at 10 s; the same instance"
                        + " (same id, so the same transactional ids) started again at 15 s (a StatefulSet)", 1,
                        List.of(at(10, "kill -9 the busy room's filter", KILL_VICTIM),
                                at(15, "start it again", p -> p.startService(p.victim())))),
                new Scenario("filter-kill-alone", "kill -9 of the busy room's filter at 10 s; nothing replaces it", 1,
                        List.of(at(10, "kill -9 the busy room's filter", KILL_VICTIM))),
                new Scenario("filter-pause", "SIGSTOP of the busy room's filter at 10 s, SIGCONT at 20 s (a zombie)", 1,
                        List.of(at(10, "SIGSTOP the busy room's filter", p -> p.pause(p.victim())),
                                at(20, "SIGCONT it", p -> p.resume(p.victim())))),
                new Scenario("filter-cut", "the network between the busy room's filter and the broker cut at 10 s (every"
                        + " packet dropped, nothing closed), healed at 25 s (a zombie that wakes up)", 1, true,
                        List.of(at(10, "cut the busy room's filter from the broker", p -> p.cut(p.victim())),
                                at(25, "heal the network", p -> p.heal(p.victim())))),
                new Scenario("filter-delay", "200 ms more each way between the busy room's filter and the broker from"
                        + " 10 s to 25 s (a slow link, nothing lost)", 1, true,
                        List.of(at(10, "delay the busy room's filter's link by 200 ms each way",
                                        p -> p.delay(p.victim(), Duration.ofMillis(200))),
                                at(25, "end the delay", p -> p.delay(p.victim(), Duration.ZERO)))),
                new Scenario("gateway-cut", "the network between gateway-1 and the broker cut at 10 s (every packet"
                        + " dropped, nothing closed), healed at 25 s", 1, true,
                        List.of(at(10, "cut gateway-1 from the broker", p -> p.cut("gateway-1")),
                                at(25, "heal the network", p -> p.heal("gateway-1")))),
                new Scenario("broker-restart", "kill -9 of the (single) broker at 10 s, started again on its data at 13 s", 1,
                        List.of(at(10, "kill -9 kafka", p -> p.kill(Platform.KAFKA)),
                                at(13, "start kafka", p -> p.startService(Platform.KAFKA)))),
                new Scenario("filter-kill-then-broker-restart",
                        "kill -9 of the busy room's filter at 10 s, a replacement at 15 s, kill -9 of the broker at 30 s,"
                                + " started again at 33 s", 1,
                        List.of(at(10, "kill -9 the busy room's filter", KILL_VICTIM),
                                at(15, "start filter-3", START_REPLACEMENT),
                                at(30, "kill -9 kafka", p -> p.kill(Platform.KAFKA)),
                                at(33, "start kafka", p -> p.startService(Platform.KAFKA)))),
                new Scenario("archiver-kill", "kill -9 of the archiver at 10 s, started again at 15 s", 1,
                        List.of(at(10, "kill -9 archiver", p -> p.kill(Platform.ARCHIVER)),
                                at(15, "start archiver", p -> p.startService(Platform.ARCHIVER)))),
                new Scenario("gateway-kill", "kill -9 of gateway-1 at 10 s: its viewers and senders reconnect to gateway-2", 1,
                        List.of(at(10, "kill -9 gateway-1", p -> p.kill("gateway-1")))),
                new Scenario("gateway-kill-sole", "kill -9 of gateway-1 at 10 s, the only gateway of the quiet room's"
                        + " viewers and senders: gateway-2 follows that room only once they reconnect to it", 1, false, true,
                        List.of(at(10, "kill -9 gateway-1", p -> p.kill("gateway-1")))),
                brokerKill("cluster-leader-kill", "the leader of the busy room's partitions",
                        p -> p.leaderOf("danmaku.filtered.v1", p.busyPartition())),
                brokerKill("cluster-group-coordinator-kill", "the filter group's coordinator", Platform::groupCoordinator),
                brokerKill("cluster-transaction-coordinator-kill", "the transaction coordinator of the busy room's filter",
                        p -> p.transactionCoordinator(p.busyPartition())),
                brokerKill("cluster-controller-kill", "the active KRaft controller (combined nodes: it is a broker too)",
                        Platform::activeController));
    }

    /**
     * The soak's faults, taken in turn, each aimed when it comes (the filter that owns the busy room's
     * partition then); a killed filter is replaced by one with a new name, as a Deployment does.
     */
    static List<Scenario> soakFaults() {
        int[] replacements = {2};
        Fault aim = p -> {
            String owner = p.ownerOf(p.busyPartition());
            if (owner != null) {
                p.aimAt(owner);
            }
        };
        return List.of(
                new Scenario("soak-filter-kill", "kill -9 of the busy room's filter, a replacement 5 s later", 1,
                        List.of(at(0, "kill -9 the busy room's filter", p -> {
                            aim.apply(p);
                            p.kill(p.victim());
                        }), at(5, "start a replacement filter", p -> {
                            String name = "filter-" + ++replacements[0];
                            p.addFilter(name);
                            p.startService(name);
                        }))),
                new Scenario("soak-gateway-kill", "kill -9 of gateway-1, started again 10 s later", 1,
                        List.of(at(0, "kill -9 gateway-1", p -> p.kill("gateway-1")),
                                at(10, "start gateway-1", p -> p.startService("gateway-1")))),
                new Scenario("soak-filter-pause", "SIGSTOP of the busy room's filter, SIGCONT 10 s later", 1,
                        List.of(at(0, "SIGSTOP the busy room's filter", p -> {
                            aim.apply(p);
                            p.pause(p.victim());
                        }), at(10, "SIGCONT it", p -> p.resume(p.victim())))),
                new Scenario("soak-archiver-kill", "kill -9 of the archiver, started again 5 s later", 1,
                        List.of(at(0, "kill -9 archiver", p -> p.kill(Platform.ARCHIVER)),
                                at(5, "start archiver", p -> p.startService(Platform.ARCHIVER)))));
    }

    /** Which broker of a cluster a fault aims at, asked of the cluster when the fault comes. */
    interface BrokerChoice {
        String of(Platform platform) throws Exception;
    }

    /** On a three-node cluster: kill -9 of the chosen broker at 10 s, started again on its data at 20 s. */
    private static Scenario brokerKill(String name, String which, BrokerChoice choice) {
        String[] chosen = new String[1];
        return new Scenario(name, "three-node cluster: kill -9 of " + which + " at 10 s, started again at 20 s", 3,
                List.of(at(10, "kill -9 " + which, p -> {
                    chosen[0] = choice.of(p);
                    // a node that also leads the KRaft quorum costs a controller election before it can be fenced
                    p.note(chosen[0] + ", active controller " + p.activeController());
                    p.kill(chosen[0]);
                }), at(20, "start it again", p -> p.startService(chosen[0]))));
    }
}
