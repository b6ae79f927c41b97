package dev.danmaku.bench.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class FindingsTest {

    private long now;
    private final History history = new History(() -> now);

    private void at(long ms) {
        now = ms;
    }

    /** Sender 0 sends s0-0 .. s0-(n-1) every 100 ms from t=0, each acked 50 ms later as m0 .. m(n-1). */
    private void sendAndAck(int n) {
        for (int i = 0; i < n; i++) {
            at(i * 100L);
            history.sent("s0-" + i, 0, i);
            at(i * 100L + 50);
            history.acked("s0-" + i, "m" + i, "ACCEPTED");
        }
    }

    private void deliver(int viewer, int i, long atMs) {
        at(atMs);
        history.delivered(viewer, "m" + i, "s0-" + i);
    }

    private Findings findings(List<String> archived) {
        return Findings.of("test", history, 1, archived, 0, 1_000, 2);
    }

    @Test
    void aCleanRunIsExactAndItsStallIsTheLongestGap() {
        sendAndAck(10);
        for (int i = 0; i < 10; i++) {
            deliver(0, i, i == 5 ? 900 : i * 100L + 60);
        }
        Findings f = findings(List.of("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9"));
        assertThat(f.exact()).isTrue();
        assertThat(f.answeredWithin5s()).isEqualTo(10);
        assertThat(f.ackP99Ms()).isEqualTo(50);
        // m4 at 460, then m5 at 900
        assertThat(f.longestStallMs()).isEqualTo(440);
    }

    @Test
    void lossDuplicatesReorderingAndSilenceAreEachCounted() {
        sendAndAck(4);
        at(350);
        history.sent("s0-4", 0, 4); // never answered
        deliver(0, 0, 60);
        deliver(0, 2, 160); // m1 comes after m2
        deliver(0, 1, 170);
        deliver(0, 1, 180); // shown twice
        // m3 never shown
        Findings f = findings(List.of("m0", "m1", "m1", "m2"));
        assertThat(f.unanswered()).isEqualTo(1);
        assertThat(f.lost()).isEqualTo(1);
        assertThat(f.duplicates()).isEqualTo(1);
        assertThat(f.outOfOrder()).isEqualTo(1);
        assertThat(f.archiveMissing()).isEqualTo(1);
        assertThat(f.archiveDuplicates()).isEqualTo(1);
        assertThat(f.exact()).isFalse();
        // nothing new after m1 at 170 ms (a repeat is not news) while the senders were still sending: looked at
        // later, the stall lasts until the end of the observation
        at(5_000);
        assertThat(findings(List.of("m0", "m1", "m1", "m2")).longestStallMs()).isEqualTo(4_830);
        assertThat(findings(List.of("m0", "m1", "m1", "m2")).longestStallAt()).contains("never resumed");
    }

    @Test
    void aViewerShownEverythingBeforeTheSendersStoppedHasNoStallAtTheEnd() {
        sendAndAck(10);
        for (int i = 0; i < 10; i++) {
            deliver(0, i, i * 100L + 60); // the last at 960 ms; the senders stop at 1 000 ms
        }
        at(5_000);
        Findings f = findings(List.of("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9"));
        assertThat(f.lost()).isZero();
        assertThat(f.longestStallMs()).isEqualTo(100);
        assertThat(f.longestStallAt()).doesNotContain("never resumed");
    }

    @Test
    void aStallThatOutlastsTheSendersIsMeasuredToItsEnd() {
        sendAndAck(10);
        for (int i = 0; i < 5; i++) {
            deliver(0, i, i * 100L + 60);
        }
        // the rest arrive 3 s after the senders stopped at 1 000 ms
        for (int i = 5; i < 10; i++) {
            deliver(0, i, 4_000 + i);
        }
        Findings f = findings(List.of("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9"));
        assertThat(f.longestStallMs()).isEqualTo(4_005 - 460);
        assertThat(f.lost()).isZero();
    }

    @Test
    void anAnswerAfterFiveSecondsIsLateAndAnErrorIsAnAnswer() {
        at(0);
        history.sent("s0-0", 0, 0);
        history.sent("s0-1", 0, 1);
        at(6_000);
        history.acked("s0-0", "m0", "ACCEPTED");
        history.refused("s0-1", "unavailable");
        Findings f = findings(List.of("m0"));
        assertThat(f.answeredLate()).isEqualTo(2);
        assertThat(f.answers()).containsEntry("ACCEPTED", 1).containsEntry("error unavailable", 1);
    }

    @Test
    void aDanmakuAckedAfterAnUnavailableIsStillOwedToEveryViewer() {
        at(0);
        history.sent("s0-0", 0, 0);
        at(5_000);
        history.refused("s0-0", "unavailable");
        at(7_000);
        history.acked("s0-0", "m0", "ACCEPTED");
        Findings f = findings(List.of());
        assertThat(f.answeredWithin5s()).as("the unavailable was its answer in time").isEqualTo(1);
        assertThat(f.lost()).as("never delivered").isEqualTo(1);
        assertThat(f.archiveMissing()).isEqualTo(1);
    }

    @Test
    void aRetryShownAsASecondDanmakuIsADuplicate() {
        sendAndAck(1);
        deliver(0, 0, 100);
        at(200);
        history.delivered(0, "m-retry", "s0-0"); // the same send's text under another msgId
        Findings f = findings(List.of("m0"));
        assertThat(f.duplicates()).isEqualTo(1);
        assertThat(f.anomalies()).singleElement().asString().contains("s0-0", "under another msgId");
    }

    @Test
    void aRetriedSendShownAfterLaterOnesIsRetriedNotOutOfOrder() {
        at(0);
        history.sent("s0-0", 0, 0);
        history.sent("s0-1", 0, 1);
        at(4_000);
        history.refused("s0-0", "unavailable");
        history.acked("s0-1", "m1", "ACCEPTED");
        at(6_000);
        history.acked("s0-0", "m0", "ACCEPTED");
        deliver(0, 1, 4_100);
        deliver(0, 0, 6_100);
        at(6_200);
        history.sent("s0-2", 0, 2);
        history.acked("s0-2", "m2", "ACCEPTED");
        history.delivered(0, "m2", "s0-2");
        Findings f = findings(List.of("m0", "m1", "m2"));
        assertThat(f.outOfOrder()).isZero();
        assertThat(f.retriedShownLater()).isEqualTo(1);
        assertThat(f.lost()).isZero();
    }
}
