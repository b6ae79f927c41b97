package dev.danmaku.archiver.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.xml.stream.XMLStreamException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.danmaku.archiver.store.ArchivedDanmaku;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.Mode;

class BilibiliXmlTest {

    private static final BilibiliXml XML = new BilibiliXml("an installation's key".getBytes(StandardCharsets.UTF_8));
    private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

    private static ArchivedDanmaku row(String msgId, String user, String text, String mode, int color, long sentAtMs,
            long videoOffsetMs, String verdict, Long recalledAtMs) {
        return new ArchivedDanmaku(msgId, "room", user, user, text, color, mode, 25, sentAtMs, videoOffsetMs, verdict,
                null, 1, null, recalledAtMs);
    }

    private static String export(List<ArchivedDanmaku> rows) throws XMLStreamException {
        StringWriter out = new StringWriter();
        BilibiliXml.Export export = XML.new Export(out, "room");
        for (ArchivedDanmaku row : rows) {
            export.row(row);
        }
        export.finish();
        return out.toString();
    }

    private static List<String> lines(String xml) {
        return xml.lines().filter(line -> line.startsWith("<d ")).toList();
    }

    @Test
    void exportsWhatViewersSawWithBilibilisFields() throws Exception {
        String xml = export(List.of(
                row("m1", "alice", "first <b>&", "SCROLL", 0, T0, 0, "ACCEPTED", null),
                row("m2", "bob", "***", "TOP", 0xFF0000, T0 + 1500, 0, "MASKED", null),
                row("m3", "eve", "hidden", "SCROLL", 0, T0 + 2000, 0, "REJECTED", null),
                row("m4", "eve", "shadow", "SCROLL", 0, T0 + 2100, 0, "SHADOWED", null),
                row("m5", "bob", "recalled", "SCROLL", 0, T0 + 2200, 0, "ACCEPTED", T0 + 3000),
                row("m6", "alice", "bell\u0007 at the end", "BOTTOM", 0x00FF00, T0 + 9000, 61_250, "ACCEPTED", null)));

        assertThat(xml).startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>").contains("<chatid>room</chatid>");
        List<String> lines = lines(xml);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).matches("<d p=\"0\\.000,1,25,16777215,1767225600,0,[0-9a-f]{8},[0-9]+\">first &lt;b&gt;&amp;</d>");
        assertThat(lines.get(1)).matches("<d p=\"1\\.500,5,25,16711680,1767225601,0,[0-9a-f]{8},[0-9]+\">\\*\\*\\*</d>");
        assertThat(lines.get(2)).as("a video offset wins over the time since the first danmaku")
                .matches("<d p=\"61\\.250,4,25,65280,1767225609,0,[0-9a-f]{8},[0-9]+\">bell at the end</d>");
        assertThat(lines.get(0).split(",")[6]).as("the same sender, the same hash").isEqualTo(lines.get(2).split(",")[6])
                .isNotEqualTo(lines.get(1).split(",")[6]).doesNotContain("alice");
        StringWriter otherInstall = new StringWriter();
        BilibiliXml.Export other = new BilibiliXml("another key".getBytes(StandardCharsets.UTF_8)).new Export(otherInstall, "r");
        other.row(row("m1", "alice", "first", "SCROLL", 0, T0, 0, "ACCEPTED", null));
        other.finish();
        assertThat(lines(otherInstall.toString()).get(0).split(",")[6]).as("keyed: another install, another hash")
                .isNotEqualTo(lines.get(0).split(",")[6]);
    }

    @Test
    void importsGoodLinesAndSaysWhyOthersWereSkipped() throws Exception {
        String document = """
                <?xml version="1.0" encoding="UTF-8"?>
                <i><chatserver>chat.bilibili.com</chatserver><chatid>123</chatid>
                <d p="12.34500,1,25,16777215,1767225600,0,ab12cd34,1001">前方高能</d>
                <d p="3.5,5,36,255,1767225601,0,ff00ff00,1002">top &amp; blue</d>
                <d p="3.5,4,18,255,1767225602,0,ff00ff00,1003,10">bottom, with a weight field</d>
                <d p="1,7,25,0,1767225600,0,ab12cd34,1004">[0,0,"1-1",7,"special"]</d>
                <d p="1,1,25,0,1767225600,0,ab12cd34">seven fields</d>
                <d p="x,1,25,0,1767225600,0,ab12cd34,1005">bad time</d>
                <d p="1,1,25,0,1767225600,0,ab12cd34,1006">   </d>
                <d>no p</d>
                <d p="1,1,25,0,86400,0,ab12cd34,1007">from 1970</d>
                <d p="1,1,25,0,4102444800,0,ab12cd34,1008">from 2100</d>
                </i>""";
        List<JudgedDanmaku> rows = new ArrayList<>();
        BilibiliXml.Report report = BilibiliXml.read(new ByteArrayInputStream(document.getBytes(StandardCharsets.UTF_8)),
                "live-1", rows::add);
        List<BilibiliXml.Skipped> skipped = report.skipped();

        assertThat(rows).hasSize(3);
        Danmaku first = rows.get(0).getDanmaku();
        assertThat(first.getMsgId()).isEqualTo("imported:1001:" + BilibiliXml.roomTag("live-1"));
        assertThat(first.getUserId()).isEqualTo("imported:ab12cd34");
        assertThat(first.getText()).isEqualTo("前方高能");
        assertThat(first.getVideoOffsetMs()).isEqualTo(12_345);
        assertThat(first.getSentAtMs()).isEqualTo(T0);
        assertThat(first.getColor()).isEqualTo(0xFFFFFF);
        assertThat(rows.get(1).getDanmaku().getMode()).isEqualTo(Mode.TOP);
        assertThat(rows.get(1).getDanmaku().getFontSize()).isEqualTo(36);
        assertThat(rows.get(1).getDanmaku().getText()).isEqualTo("top & blue");
        assertThat(rows.get(2).getDanmaku().getMode()).isEqualTo(Mode.BOTTOM);
        assertThat(report.skippedCount()).isEqualTo(7);
        assertThat(skipped).extracting(BilibiliXml.Skipped::line).containsExactly(6, 7, 8, 9, 10, 11, 12);
        assertThat(skipped).extracting(BilibiliXml.Skipped::reason).containsExactly(
                "mode 7 (advanced, code or special danmaku) is not supported",
                "p has 7 fields, not time,mode,size,color,date,pool,senderHash,rowId",
                "time is not a number: \"x\"", "empty text", "no p attribute",
                "date must be Unix seconds from 2009 to now, got 86400",
                "date must be Unix seconds from 2009 to now, got 4102444800");
    }

    @Test
    void linesOlderThanTheArchiveKeepsAreSkippedWithTheReason() throws Exception {
        String document = "<i><d p=\"1,1,25,0,1767225600,0,ab12cd34,1\">kept</d>"
                + "<d p=\"1,1,25,0,1767225599,0,ab12cd34,2\">too old</d></i>";
        List<JudgedDanmaku> rows = new ArrayList<>();
        BilibiliXml.Report report = BilibiliXml.read(new ByteArrayInputStream(document.getBytes(StandardCharsets.UTF_8)),
                "room", 1_767_225_600_000L, rows::add);

        assertThat(rows).extracting(row -> row.getDanmaku().getText()).containsExactly("kept");
        assertThat(report.skipped()).extracting(BilibiliXml.Skipped::reason)
                .containsExactly("date 1767225599 is older than the archive keeps danmaku (DANMAKU_ARCHIVE_RETENTION_DAYS)");
    }

    @Test
    void anExportImportedAndExportedAgainGivesTheSameLines() throws Exception {
        List<ArchivedDanmaku> archived = List.of(
                row("m0", "carol", "at the very start", "SCROLL", 0, T0 - 500, 0, "ACCEPTED", null),
                row("m1", "alice", "hello", "SCROLL", 0, T0, 0, "ACCEPTED", null),
                row("m2", "bob", "弹幕 & <more>", "TOP", 0xFF0000, T0 + 1500, 0, "MASKED", null),
                row("m3", "alice", "later", "BOTTOM", 0x00FF00, T0 + 9000, 0, "ACCEPTED", null));
        String first = export(archived);

        List<ArchivedDanmaku> imported = new ArrayList<>();
        BilibiliXml.read(new ByteArrayInputStream(first.getBytes(StandardCharsets.UTF_8)), "room", judged -> {
            Danmaku d = judged.getDanmaku();
            imported.add(new ArchivedDanmaku(d.getMsgId(), d.getRoomId(), d.getUserId(), d.getUserName(), d.getText(),
                    d.getColor(), d.getMode().name(), d.getFontSize(), d.getSentAtMs(), d.getVideoOffsetMs(), "ACCEPTED",
                    null, 0, null, null));
        });

        assertThat(lines(export(imported))).isEqualTo(lines(first));
    }

    @Test
    void refusesDoctypesSoNoFileOfTheServerCanBeRead(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("secret.txt"), "the server's secret");
        String document = "<?xml version=\"1.0\"?><!DOCTYPE i [<!ENTITY leak SYSTEM \"" + secret.toUri() + "\">]>"
                + "<i><d p=\"1,1,25,0,1767225600,0,ab,1\">&leak;</d></i>";
        List<JudgedDanmaku> rows = new ArrayList<>();

        assertThatThrownBy(() -> BilibiliXml.read(new ByteArrayInputStream(document.getBytes(StandardCharsets.UTF_8)),
                "room", rows::add)).isInstanceOf(XMLStreamException.class);
        assertThat(rows).noneMatch(row -> row.getDanmaku().getText().contains("secret"));
    }

    @Test
    void keepsCountingButListsOnlyTheFirstHundredSkippedLinesAndCapsTheDaysOfOneImport() throws Exception {
        StringBuilder document = new StringBuilder("<i>\n");
        for (int i = 0; i < 5000; i++) {
            document.append("<d/>\n");
        }
        for (int day = 0; day <= BilibiliXml.MAX_DAYS; day++) {
            document.append("<d p=\"1,1,25,0,").append(T0 / 1000 - day * 86_400L).append(",0,ab,").append(day)
                    .append("\">day ").append(day).append("</d>\n");
        }
        document.append("</i>");
        List<JudgedDanmaku> rows = new ArrayList<>();

        BilibiliXml.Report report = BilibiliXml.read(new ByteArrayInputStream(document.toString()
                .getBytes(StandardCharsets.UTF_8)), "room", rows::add);

        assertThat(report.skippedCount()).isEqualTo(5001);
        assertThat(report.skipped()).hasSize(BilibiliXml.MAX_SKIPPED_LISTED);
        assertThat(rows).hasSize(BilibiliXml.MAX_DAYS);
    }
}
