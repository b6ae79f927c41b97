package dev.danmaku.bench.faults;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What one scenario's history shows: whether every send was answered in time, whether every accepted
 * danmaku reached every viewer once and in its sender's order, whether the archive holds each exactly
 * once, and how long the longest live stall was: the longest wait for a new delivery that began
 * while the senders were sending.
 */
record Findings(
        String scenario,
        int viewers,
        int sends,
        int answeredWithin5s,
        int answeredLate,
        int unanswered,
        Map<String, Integer> answers,
        long ackP50Ms,
        long ackP99Ms,
        long ackMaxMs,
        int lost,
        int duplicates,
        int outOfOrder,
        int retriedShownLater,
        long longestStallMs,
        String longestStallAt,
        int archiveMissing,
        int archiveDuplicates,
        List<History.Mark> marks,
        Map<Integer, int[]> deliveriesPerSecond,
        List<String> anomalies) {

    /** Anomalies described, at most this many: enough to find their cause in the logs. */
    static final int ANOMALIES_KEPT = 20;

    static final long ANSWER_WITHIN_MS = 5_000;

    /** Late answers described, at most this many, so that they leave room for losses and repeats. */
    static final int LATE_ANSWERS_KEPT = 5;

    /** True when nothing was lost, shown twice, reordered or left unanswered, and the archive matches. */
    boolean exact() {
        return lost == 0 && duplicates == 0 && outOfOrder == 0 && unanswered == 0 && archiveMissing == 0
                && archiveDuplicates == 0;
    }

    /**
     * @param archived every msgId the archive returned for the room, repeats included
     * @param measuredFromMs when the warm-up ended and the faults' clock started: stalls count from here,
     *     and times in the findings are relative to it
     * @param sendingEndsMs when the senders stopped
     */
    static Findings of(String scenario, History history, int viewers, Collection<String> archived, long measuredFromMs,
            long sendingEndsMs, int seconds) {
        Map<String, History.Answer> firstAnswer = new HashMap<>();
        // sends told `unavailable` and sent again: shown when they get through, after what was sent meanwhile
        Set<String> retried = new HashSet<>();
        for (History.Answer answer : history.answers()) {
            firstAnswer.putIfAbsent(answer.clientMsgId(), answer);
            if ("unavailable".equals(answer.error())) {
                retried.add(answer.clientMsgId());
            }
        }
        List<History.Send> sends = history.sends();
        Map<String, Integer> answerKinds = new TreeMap<>();
        List<Long> ackLatencies = new ArrayList<>();
        Set<String> accepted = new HashSet<>();
        List<String> anomalies = new ArrayList<>();
        int within = 0;
        int late = 0;
        int unanswered = 0;
        for (History.Send send : sends) {
            History.Answer answer = firstAnswer.get(send.clientMsgId());
            if (answer == null) {
                unanswered++;
                continue;
            }
            long latency = answer.atMs() - send.atMs();
            ackLatencies.add(latency);
            if (latency <= ANSWER_WITHIN_MS) {
                within++;
            } else {
                late++;
                if (late <= LATE_ANSWERS_KEPT) {
                    note(anomalies, "send " + send.sender() + "-" + send.seq() + " at " + (send.atMs() - measuredFromMs)
                            + " ms was answered " + (answer.error() != null ? answer.error() : answer.verdict()) + " after "
                            + latency + " ms");
                }
            }
            answerKinds.merge(answer.error() != null ? "error " + answer.error() : answer.verdict(), 1, Integer::sum);
        }
        // an ack that follows an `unavailable` still promises the danmaku to every viewer
        for (History.Answer answer : history.answers()) {
            if ("ACCEPTED".equals(answer.verdict())) {
                accepted.add(answer.msgId());
            }
        }
        ackLatencies.sort(null);

        int lost = 0;
        int duplicates = 0;
        int outOfOrder = 0;
        int retriedShownLater = 0;
        long longestStall = 0;
        String longestStallAt = "";
        Map<Integer, int[]> perSecond = new TreeMap<>();
        List<History.Delivery> deliveries = history.deliveries();
        long observedUntilMs = history.nowMs();
        for (int viewer = 0; viewer < viewers; viewer++) {
            Map<String, Long> seen = new HashMap<>();
            // a retry shown as a second danmaku has its own msgId but the same text (each send's text is unique)
            Set<String> seenTexts = new HashSet<>();
            Map<String, Integer> lastSeq = new HashMap<>();
            int[] series = new int[seconds + 1];
            long previousMs = measuredFromMs;
            for (History.Delivery delivery : deliveries) {
                if (delivery.viewer() != viewer) {
                    continue;
                }
                Long firstAt = seen.putIfAbsent(delivery.msgId(), delivery.atMs());
                if (firstAt != null || !seenTexts.add(delivery.text())) {
                    duplicates++;
                    note(anomalies, "viewer " + viewer + " was shown " + delivery.text() + " (" + delivery.msgId() + ") again at "
                            + (delivery.atMs() - measuredFromMs) + " ms" + (firstAt == null ? ", under another msgId"
                            : ", first at " + (firstAt - measuredFromMs) + " ms"));
                    continue;
                }
                int dash = delivery.text().indexOf('-');
                String sender = delivery.text().substring(0, Math.max(dash, 0));
                int seq = dash < 0 ? -1 : Integer.parseInt(delivery.text().substring(dash + 1));
                Integer before = lastSeq.get(sender);
                if (before != null && seq < before && retried.contains(delivery.text())) {
                    retriedShownLater++;
                } else if (before != null && seq < before) {
                    lastSeq.put(sender, seq);
                    outOfOrder++;
                    note(anomalies, "viewer " + viewer + " was shown " + delivery.text() + " after " + sender + "-" + before
                            + " at " + (delivery.atMs() - measuredFromMs) + " ms");
                } else {
                    lastSeq.put(sender, seq);
                }
                if (delivery.atMs() >= measuredFromMs) {
                    series[(int) Math.min(seconds, (delivery.atMs() - measuredFromMs) / 1000)]++;
                }
                // a gap that began while danmaku were still being sent is a stall, however late it ends
                if (delivery.atMs() > previousMs && previousMs < sendingEndsMs) {
                    long gap = delivery.atMs() - previousMs;
                    if (gap > longestStall) {
                        longestStall = gap;
                        longestStallAt = "viewer " + viewer + " at " + (previousMs - measuredFromMs) / 1000.0 + " s";
                    }
                }
                previousMs = Math.max(previousMs, delivery.atMs());
            }
            int missing = 0;
            for (String msgId : accepted) {
                if (!seen.containsKey(msgId)) {
                    missing++;
                }
            }
            lost += missing;
            // silence after the last delivery is a stall only when something accepted never came: a viewer shown
            // the last danmaku a moment before the senders stopped has nothing left to wait for
            if (missing > 0 && previousMs < sendingEndsMs && observedUntilMs - previousMs > longestStall) {
                longestStall = observedUntilMs - previousMs;
                longestStallAt = "viewer " + viewer + " at " + (previousMs - measuredFromMs) / 1000.0 + " s (never resumed)";
            }
            perSecond.put(viewer, series);
        }

        Map<String, Integer> archiveCounts = new HashMap<>();
        for (String msgId : archived) {
            archiveCounts.merge(msgId, 1, Integer::sum);
        }
        int archiveMissing = (int) accepted.stream().filter(id -> !archiveCounts.containsKey(id)).count();
        int archiveDuplicates = (int) archiveCounts.values().stream().filter(n -> n > 1).count();

        List<History.Mark> marks = history.marks().stream()
                .map(m -> new History.Mark(m.label(), m.atMs() - measuredFromMs, m.wallClock())).toList();
        return new Findings(scenario, viewers, sends.size(), within, late, unanswered, answerKinds,
                percentile(ackLatencies, 0.50), percentile(ackLatencies, 0.99),
                ackLatencies.isEmpty() ? 0 : ackLatencies.get(ackLatencies.size() - 1),
                lost, duplicates, outOfOrder, retriedShownLater, longestStall, longestStallAt, archiveMissing, archiveDuplicates, marks,
                perSecond, anomalies);
    }

    private static void note(List<String> anomalies, String anomaly) {
        if (anomalies.size() < ANOMALIES_KEPT) {
            anomalies.add(anomaly);
        }
    }

    private static long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1));
    }
}
