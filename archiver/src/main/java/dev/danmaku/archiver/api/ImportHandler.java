package dev.danmaku.archiver.api;

import java.io.IOException;
import java.io.InputStream;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.xml.stream.XMLStreamException;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.danmaku.archiver.store.ArchiveStore;
import dev.danmaku.common.RoomIds;
import dev.danmaku.common.http.Json;
import dev.danmaku.common.http.Problem;
import dev.danmaku.proto.v1.JudgedDanmaku;

/**
 * {@code POST /rooms/{room}/import} with a Bilibili XML document ({@link BilibiliXml}): its danmaku go
 * straight into the room's archive, for replay and analysis — never through the live path, so no
 * viewer sees them and no filter judges them — marked as imported. Importing a file again stores
 * nothing twice. Answers how many lines were stored and which were skipped, and why.
 */
final class ImportHandler implements HttpHandler {

    static final long MAX_BYTES = 64L * 1024 * 1024;
    static final int MAX_ROWS = 2_000_000;
    private static final int BATCH = 5000;
    private static final Logger log = LoggerFactory.getLogger(ImportHandler.class);

    private final ArchiveStore store;
    private final Duration retention;
    private final Counter rowsImported;

    /** @param retention how long the archive keeps danmaku (zero: for ever); older lines are skipped */
    ImportHandler(ArchiveStore store, Duration retention, MeterRegistry meters) {
        this.store = store;
        this.retention = retention;
        this.rowsImported = Counter.builder("danmaku_archive_import_rows").description("Rows stored by imports")
                .register(meters);
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws IOException {
        String room = exchange.getQueryParameters().getOrDefault("room", new ArrayDeque<>()).peekFirst();
        if (!RoomIds.isValid(room)) {
            Problem.badRequest(exchange, "room: " + RoomIds.RULE);
            return;
        }
        String type = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        if (type == null || !(type.startsWith("application/xml") || type.startsWith("text/xml"))) {
            Problem.send(exchange, StatusCodes.UNSUPPORTED_MEDIA_TYPE,
                    "send a Bilibili danmaku XML document as application/xml");
            return;
        }
        if (exchange.getRequestContentLength() > MAX_BYTES) {
            Problem.send(exchange, StatusCodes.REQUEST_ENTITY_TOO_LARGE, "at most " + MAX_BYTES / 1024 / 1024 + " MB");
            return;
        }
        exchange.startBlocking();
        Rows rows = new Rows();
        BilibiliXml.Report report;
        try (InputStream body = exchange.getInputStream()) {
            long earliest = retention.isZero() ? BilibiliXml.EARLIEST_DATE_MS
                    : Math.max(BilibiliXml.EARLIEST_DATE_MS, System.currentTimeMillis() - retention.toMillis());
            report = BilibiliXml.read(body, room, earliest, rows::add);
            rows.flush();
        } catch (XMLStreamException e) {
            Problem.badRequest(exchange, "not a well-formed XML document: " + e.getMessage().lines().reduce((a, b) -> b)
                    .orElse("") + (rows.stored > 0 ? "; " + rows.stored + " rows before it were stored" : ""));
            return;
        } catch (TooManyRows e) {
            Problem.badRequest(exchange, "at most " + MAX_ROWS + " danmaku per import; " + rows.stored + " were stored");
            return;
        } catch (StoreFailed e) {
            log.warn("Import into {} failed: {}", room, e.getCause().getMessage());
            Problem.send(exchange, StatusCodes.SERVICE_UNAVAILABLE, "the archive database is unavailable; "
                    + rows.stored + " rows were stored, importing the file again stores the rest");
            return;
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("roomId", room);
        answer.put("stored", rows.stored);
        answer.put("skippedCount", report.skippedCount());
        answer.put("skipped", report.skipped());
        answer.put("note", "stored as imported (msgId imported:<rowId>:<room tag>); a line imported before is kept once");
        Json.send(exchange, StatusCodes.OK, answer);
    }

    /** Writes what is read in batches, so memory stays flat however long the file. */
    private final class Rows {
        private final List<ArchiveStore.Incoming> batch = new ArrayList<>(BATCH);
        private long stored;

        void add(JudgedDanmaku judged) {
            if (stored + batch.size() >= MAX_ROWS) {
                throw new TooManyRows();
            }
            batch.add(new ArchiveStore.Incoming(judged, -1, 0)); // partition -1: not from Kafka
            if (batch.size() == BATCH) {
                flush();
            }
        }

        void flush() {
            if (batch.isEmpty()) {
                return;
            }
            try {
                store.write(List.copyOf(batch), List.of());
            } catch (SQLException e) {
                throw new StoreFailed(e);
            }
            stored += batch.size();
            rowsImported.increment(batch.size());
            batch.clear();
        }
    }

    private static final class TooManyRows extends RuntimeException {
        TooManyRows() {
            super(null, null, false, false);
        }
    }

    private static final class StoreFailed extends RuntimeException {
        StoreFailed(SQLException cause) {
            super(cause);
        }
    }
}
