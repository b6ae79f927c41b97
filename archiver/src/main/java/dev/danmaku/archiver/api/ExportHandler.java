package dev.danmaku.archiver.api;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.Semaphore;

import javax.xml.stream.XMLStreamException;

import com.fasterxml.jackson.core.JsonGenerator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.danmaku.archiver.store.ArchiveFilter;
import dev.danmaku.archiver.store.ArchiveStore;
import dev.danmaku.archiver.store.ArchivedDanmaku;
import dev.danmaku.common.http.Json;
import dev.danmaku.common.http.Problem;

/**
 * {@code GET /rooms/{room}/export?format=ndjson|csv|xml&bom=}: a whole range, streamed from a database
 * cursor straight to the response, so memory stays flat however many rows. Nothing is sent until
 * the first row (or the end) is read, so a database that is down still gets a clean 503; a
 * failure after that cuts the connection, so a client never takes a cut-off file for a whole one.
 * {@code xml} is the Bilibili danmaku format ({@link BilibiliXml}): what viewers saw, for players.
 */
final class ExportHandler implements HttpHandler {

    private static final Logger log = LoggerFactory.getLogger(ExportHandler.class);
    private static final int BUFFER_CHARS = 64 * 1024;
    private static final int MOST_RUNNING = 4;

    private final int maxRunning;
    private final Semaphore running;

    private final ArchiveStore store;
    private final BilibiliXml bilibili;
    private final Counter rowsExported;

    ExportHandler(ArchiveStore store, BilibiliXml bilibili, MeterRegistry meters) {
        this.maxRunning = maxRunning(store.readPoolSize());
        this.running = new Semaphore(maxRunning);
        this.store = store;
        this.bilibili = bilibili;
        this.rowsExported = Counter.builder("danmaku_archive_export_rows").description("Rows sent by exports")
                .register(meters);
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws IOException {
        QueryParams params = new QueryParams(exchange.getQueryParameters());
        ArchiveFilter filter;
        String format;
        boolean bom;
        try {
            filter = params.filter();
            format = params.choice("format", "ndjson", Set.of("ndjson", "csv", "xml"));
            bom = params.bool("bom", false);
        } catch (IllegalArgumentException e) {
            Problem.badRequest(exchange, e.getMessage());
            return;
        }
        if (!running.tryAcquire()) {
            exchange.getResponseHeaders().put(Headers.RETRY_AFTER, "5");
            Problem.send(exchange, StatusCodes.SERVICE_UNAVAILABLE, "all " + maxRunning + " export slots are in use; try"
                    + " again in a few seconds");
            return;
        }
        Output output = new Output(exchange, filter, format, bom);
        try {
            long rows = store.stream(filter, output::row);
            output.finish();
            log.debug("Exported {} rows of {} as {}", rows, filter.roomId(), format);
        } catch (SQLException e) {
            log.warn("Export of {} failed: {}", filter.roomId(), e.getMessage());
            if (!output.started()) {
                Problem.send(exchange, StatusCodes.SERVICE_UNAVAILABLE, "the archive database is unavailable; try again");
            } else {
                exchange.getConnection().close(); // the client sees a broken transfer, not a short file
            }
        } catch (IOException e) {
            log.debug("Export reader of {} went away: {}", filter.roomId(), e.getMessage());
            exchange.getConnection().close();
        } finally {
            running.release();
        }
    }

    /**
     * Exports at once: each holds a database connection and a cursor for as long as its reader reads, so
     * they may take half of the API's pool at most (and {@value #MOST_RUNNING}): queries and replays keep the rest.
     */
    static int maxRunning(int poolSize) {
        return Math.max(1, Math.min(MOST_RUNNING, poolSize / 2));
    }

    /** The response body, begun on the first row. */
    private final class Output {
        private final HttpServerExchange exchange;
        private final ArchiveFilter filter;
        private final String format;
        private final boolean bom;
        private Writer writer;
        private JsonGenerator json;
        private BilibiliXml.Export xml;
        private int unreported;

        Output(HttpServerExchange exchange, ArchiveFilter filter, String format, boolean bom) {
            this.exchange = exchange;
            this.filter = filter;
            this.format = format;
            this.bom = bom;
        }

        boolean started() {
            return writer != null;
        }

        void row(ArchivedDanmaku row) throws IOException {
            if (writer == null) {
                begin();
            }
            switch (format) {
                case "csv" -> CsvRows.write(writer, row);
                case "xml" -> xmlRow(row);
                default -> {
                    NdjsonRows.write(json, row);
                    json.writeRaw('\n');
                }
            }
            if (++unreported == 1000) { // a running export shows in the metric, at a low cost per row
                rowsExported.increment(unreported);
                unreported = 0;
            }
        }

        void finish() throws IOException {
            rowsExported.increment(unreported);
            if (writer == null) {
                begin();
            }
            if (json != null) {
                json.flush();
            }
            if (xml != null) {
                try {
                    xml.finish();
                } catch (XMLStreamException e) {
                    throw new IOException(e);
                }
            }
            writer.close();
        }

        private void xmlRow(ArchivedDanmaku row) throws IOException {
            try {
                xml.row(row);
            } catch (XMLStreamException e) {
                throw new IOException(e);
            }
        }

        private void begin() throws IOException {
            exchange.setStatusCode(StatusCodes.OK);
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, switch (format) {
                case "csv" -> "text/csv; charset=utf-8; header=present";
                case "xml" -> "application/xml; charset=utf-8";
                default -> "application/x-ndjson; charset=utf-8";
            });
            exchange.getResponseHeaders().put(Headers.CONTENT_DISPOSITION, "attachment; filename=\"danmaku-"
                    + filter.roomId() + "." + format + "\"");
            exchange.startBlocking();
            writer = new BufferedWriter(new OutputStreamWriter(exchange.getOutputStream(), StandardCharsets.UTF_8),
                    BUFFER_CHARS);
            if (bom && !format.equals("xml")) {
                writer.write('\uFEFF');
            }
            if (format.equals("csv")) {
                writer.write(CsvRows.HEADER);
            } else if (format.equals("xml")) {
                try {
                    xml = bilibili.new Export(writer, filter.roomId());
                } catch (XMLStreamException e) {
                    throw new IOException(e);
                }
            } else {
                json = Json.MAPPER.getFactory().createGenerator(writer);
                json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                json.setRootValueSeparator(null); // lines are separated by the newline each row ends with
            }
        }
    }
}
