package dev.danmaku.archiver.api;

import java.io.InputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.stream.XMLStreamWriter;

import dev.danmaku.archiver.store.ArchivedDanmaku;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.Mode;
import dev.danmaku.proto.v1.Verdict;

/**
 * The Bilibili XML danmaku format, the one players and recorders share:
 * {@code <i><d p="time,mode,size,color,date,pool,senderHash,rowId">text</d>…</i>}. Time is seconds
 * into the video (our video offset, or the time since the export's first danmaku for a live room);
 * modes 1 (scroll), 5 (top) and 4 (bottom); colour decimal; date Unix seconds; the sender a keyed
 * hash of the user id, never the id; rowId a number stable for each danmaku. Imported lines are
 * stored as {@code imported:<rowId>:<room hash>} from sender {@code imported:<hash>}, with their time
 * as the video offset, so an export of them gives the same lines back.
 */
final class BilibiliXml {

    static final String IMPORTED = "imported:";
    static final int MAX_TEXT_LENGTH = 500;
    static final int MAX_SKIPPED_LISTED = 100;
    /** Each day is a partition of the archive: an import may not create thousands. */
    static final int MAX_DAYS = 366;
    /** Bilibili's first danmaku were sent in 2009. */
    static final long EARLIEST_DATE_MS = 1_230_768_000_000L;
    private static final Pattern ROW_ID = Pattern.compile("[0-9]{1,19}");
    private static final Pattern SENDER = Pattern.compile("[0-9A-Za-z]{1,32}");
    private static final XMLOutputFactory OUTPUT = XMLOutputFactory.newFactory();

    private final SecretKeySpec senderKey;

    /** @param secret keys the sender hash (through a key of its own), so hashing candidate user ids reverses nothing */
    BilibiliXml(byte[] secret) {
        this.senderKey = new SecretKeySpec(hmac(new SecretKeySpec(secret, "HmacSHA256"), "danmaku bilibili sender key"),
                "HmacSHA256");
    }

    /** Writes rows as one document; only what viewers saw (accepted and masked, not recalled) goes in. */
    final class Export {
        private final XMLStreamWriter xml;
        private long firstSentAtMs = -1;

        Export(Writer out, String roomId) throws XMLStreamException {
            xml = OUTPUT.createXMLStreamWriter(out);
            xml.writeStartDocument("UTF-8", "1.0");
            xml.writeCharacters("\n");
            xml.writeStartElement("i");
            element("chatserver", "danmaku");
            element("chatid", roomId);
            element("source", "k-v");
        }

        /** Whether a row was written (hidden rows are left out). */
        boolean row(ArchivedDanmaku row) throws XMLStreamException {
            if (!wasShown(row)) {
                return false;
            }
            if (firstSentAtMs < 0) {
                firstSentAtMs = row.sentAtMs();
            }
            long atMs = shownAtMs(row, firstSentAtMs);
            xml.writeCharacters("\n");
            xml.writeStartElement("d");
            xml.writeAttribute("p", String.format(Locale.ROOT, "%.3f,%d,%d,%d,%d,0,%s,%s", atMs / 1000.0,
                    modeNumber(row.mode()), row.fontSize() == 0 ? 25 : row.fontSize(), rgb(row.color()),
                    row.sentAtMs() / 1000, sender(row.userId()), rowId(row.msgId())));
            xml.writeCharacters(xmlSafe(row.text()));
            xml.writeEndElement();
            return true;
        }

        void finish() throws XMLStreamException {
            xml.writeCharacters("\n");
            xml.writeEndElement();
            xml.writeCharacters("\n");
            xml.writeEndDocument();
            xml.flush();
        }

        private void element(String name, String text) throws XMLStreamException {
            xml.writeCharacters("\n");
            xml.writeStartElement(name);
            xml.writeCharacters(text);
            xml.writeEndElement();
        }
    }

    /** A line of an import that was not stored, and why. */
    record Skipped(int line, String reason) {
    }

    /** The lines skipped: how many, and the first {@value #MAX_SKIPPED_LISTED} with their reasons. */
    record Report(long skippedCount, List<Skipped> skipped) {
    }

    /**
     * Reads a document, handing each good {@code <d>} to {@code rows} as an accepted danmaku of
     * {@code roomId}; reports the lines skipped. DTDs and external entities are refused (XXE).
     */
    static Report read(InputStream in, String roomId, Consumer<JudgedDanmaku> rows) throws XMLStreamException {
        return read(in, roomId, EARLIEST_DATE_MS, rows);
    }

    /** The same, skipping danmaku sent before {@code earliestMs}: the archive would drop them at once. */
    static Report read(InputStream in, String roomId, long earliestMs, Consumer<JudgedDanmaku> rows)
            throws XMLStreamException {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_COALESCING, true);
        XMLStreamReader xml = factory.createXMLStreamReader(in);
        List<Skipped> skipped = new ArrayList<>();
        long skippedCount = 0;
        Set<Long> days = new HashSet<>();
        long latestMs = System.currentTimeMillis() + 86_400_000L;
        try {
            while (xml.hasNext()) {
                if (xml.next() == XMLStreamConstants.START_ELEMENT && xml.getLocalName().equals("d")) {
                    int line = xml.getLocation().getLineNumber();
                    String p = xml.getAttributeValue(null, "p");
                    String text = xml.getElementText();
                    try {
                        JudgedDanmaku row = parse(roomId, p, text, earliestMs, latestMs);
                        long day = Math.floorDiv(row.getDanmaku().getSentAtMs(), 86_400_000L);
                        if (!days.contains(day) && days.size() == MAX_DAYS) {
                            throw new IllegalArgumentException("more than " + MAX_DAYS + " days in one import");
                        }
                        days.add(day);
                        rows.accept(row);
                    } catch (IllegalArgumentException e) {
                        if (skippedCount++ < MAX_SKIPPED_LISTED) {
                            skipped.add(new Skipped(line, e.getMessage()));
                        }
                    }
                }
            }
        } finally {
            xml.close();
        }
        return new Report(skippedCount, skipped);
    }

    private static JudgedDanmaku parse(String roomId, String p, String text, long earliestMs, long latestMs) {
        if (p == null) {
            throw new IllegalArgumentException("no p attribute");
        }
        String[] fields = p.split(",", -1);
        if (fields.length < 8) {
            throw new IllegalArgumentException("p has " + fields.length + " fields, not time,mode,size,color,date,pool,"
                    + "senderHash,rowId");
        }
        double seconds = number(fields[0], "time");
        if (!(seconds >= 0) || seconds > 1e9) {
            throw new IllegalArgumentException("time must be seconds from 0, got " + fields[0]);
        }
        Mode mode = switch ((int) number(fields[1], "mode")) {
            case 1, 2, 3, 6 -> Mode.SCROLL;
            case 4 -> Mode.BOTTOM;
            case 5 -> Mode.TOP;
            default -> throw new IllegalArgumentException("mode " + fields[1] + " (advanced, code or special danmaku)"
                    + " is not supported");
        };
        long size = (long) number(fields[2], "size");
        long color = (long) number(fields[3], "color");
        long date = (long) number(fields[4], "date");
        if (!ROW_ID.matcher(fields[7]).matches()) {
            throw new IllegalArgumentException("rowId must be digits, got \"" + fields[7] + "\"");
        }
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("empty text");
        }
        if (trimmed.codePointCount(0, trimmed.length()) > MAX_TEXT_LENGTH) {
            throw new IllegalArgumentException("text longer than " + MAX_TEXT_LENGTH + " characters");
        }
        String sender = SENDER.matcher(fields[6]).matches() ? fields[6] : "unknown";
        long sentAtMs = date > 0 && date < 32_503_680_000L ? date * 1000 : 0;
        if (sentAtMs < EARLIEST_DATE_MS || sentAtMs > latestMs) {
            throw new IllegalArgumentException("date must be Unix seconds from 2009 to now, got " + fields[4]);
        }
        if (sentAtMs < earliestMs) {
            throw new IllegalArgumentException("date " + fields[4] + " is older than the archive keeps danmaku"
                    + " (DANMAKU_ARCHIVE_RETENTION_DAYS)");
        }
        Danmaku danmaku = Danmaku.newBuilder()
                .setMsgId(IMPORTED + fields[7] + ":" + roomTag(roomId))
                .setRoomId(roomId)
                .setUserId(IMPORTED + sender)
                .setUserName("")
                .setText(trimmed)
                .setColor((int) (color & 0xFFFFFF))
                .setMode(mode)
                .setFontSize((int) Math.max(0, Math.min(128, size)))
                .setSentAtMs(sentAtMs)
                .setVideoOffsetMs(Math.round(seconds * 1000))
                .build();
        return JudgedDanmaku.newBuilder().setDanmaku(danmaku).setVerdict(Verdict.ACCEPTED).build();
    }

    private static double number(String field, String name) {
        try {
            double value = Double.parseDouble(field.strip());
            if (Double.isNaN(value) || Double.isInfinite(value)) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " is not a number: \"" + field + "\"");
        }
    }

    /** Whether viewers saw a row: accepted or masked, and not recalled. */
    static boolean wasShown(ArchivedDanmaku row) {
        return (row.verdict().equals("ACCEPTED") || row.verdict().equals("MASKED")) && row.recalledAtMs() == null;
    }

    /** When a shown row comes in the video: its video offset, or else its time after the first row shown. */
    static long shownAtMs(ArchivedDanmaku row, long firstSentAtMs) {
        return row.videoOffsetMs() > 0 || row.msgId().startsWith(IMPORTED) ? row.videoOffsetMs()
                : row.sentAtMs() - firstSentAtMs;
    }

    private static int modeNumber(String mode) {
        return switch (mode) {
            case "TOP" -> 5;
            case "BOTTOM" -> 4;
            default -> 1;
        };
    }

    /** 0 is white in our protocol; Bilibili writes white as 16777215. */
    static int rgb(int color) {
        int rgb = color & 0xFFFFFF;
        return rgb == 0 ? 0xFFFFFF : rgb;
    }

    /** A stable hash of the sender for players and exports, never the user id. */
    String sender(String userId) {
        return userId.startsWith(IMPORTED) ? userId.substring(IMPORTED.length())
                : HexFormat.of().formatHex(hmac(senderKey, userId), 0, 4);
    }

    private static byte[] hmac(SecretKeySpec key, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    /** 8 hex digits of the room, which keep imported ids of two rooms apart and short (64 chars at most). */
    static String roomTag(String roomId) {
        return HexFormat.of().formatHex(sha256(roomId), 0, 4);
    }

    /** The number of an imported id, or a stable positive number from our msgId. */
    private static String rowId(String msgId) {
        if (msgId.startsWith(IMPORTED)) {
            return msgId.substring(IMPORTED.length(), msgId.indexOf(':', IMPORTED.length()));
        }
        byte[] digest = sha256(msgId);
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (digest[i] & 0xFF);
        }
        return Long.toString(value & Long.MAX_VALUE);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Without the characters XML 1.0 cannot hold (most control characters, lone surrogates). */
    static String xmlSafe(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().filter(c -> c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF)
                || (c >= 0xE000 && c <= 0xFFFD) || c >= 0x10000).forEach(out::appendCodePoint);
        return out.toString();
    }
}
