package dev.danmaku.common.http;

import java.net.InetSocketAddress;
import java.time.Duration;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import org.xnio.Options;
import io.undertow.server.HttpHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One Undertow listener. */
public final class HttpServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HttpServer.class);
    private final Undertow undertow;
    private final int port;

    private HttpServer(Undertow undertow, int port) {
        this.undertow = undertow;
        this.port = port;
    }

    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /**
     * How long a response may go without the client taking a byte before the connection is closed: a
     * reader that stopped reading an export frees its slot and database connection. Longer than any
     * slow-viewer timeout, which closes a stalled WebSocket viewer first, with 4009.
     */
    public static final Duration WRITE_TIMEOUT = Duration.ofSeconds(60);
    /** The largest request body any listener reads. */
    public static final long MAX_BODY_BYTES = 64L * 1024 * 1024;
    private static final int MAX_HEADER_BYTES = 64 * 1024;

    /** Starts listening; port 0 picks a free port (see {@link #port()}). */
    public static HttpServer start(String host, int port, HttpHandler handler) {
        return start(host, port, handler, DEFAULT_REQUEST_TIMEOUT);
    }

    /**
     * @param requestTimeout how long a connection may take to send a complete request (a WebSocket
     *                       handshake included) and how long it may sit idle before one
     */
    public static HttpServer start(String host, int port, HttpHandler handler, Duration requestTimeout) {
        return start(host, port, handler, requestTimeout, WRITE_TIMEOUT);
    }

    /** @param writeTimeout how long a response may go without the client taking a byte ({@link #WRITE_TIMEOUT}) */
    public static HttpServer start(String host, int port, HttpHandler handler, Duration requestTimeout,
            Duration writeTimeout) {
        return start(host, port, handler, requestTimeout, writeTimeout, false);
    }

    /**
     * @param proxyProtocol every connection starts with a PROXY protocol header (v1 or v2) naming the client,
     *     which then is the connection's source address; one without it is refused
     */
    public static HttpServer start(String host, int port, HttpHandler handler, Duration requestTimeout,
            Duration writeTimeout, boolean proxyProtocol) {
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, requestTimeout.toMillis());
        Undertow undertow = Undertow.builder()
                .addListener(new Undertow.ListenerBuilder().setType(Undertow.ListenerType.HTTP).setHost(host).setPort(port)
                        .setUseProxyProtocol(proxyProtocol))
                .setServerOption(UndertowOptions.RECORD_REQUEST_START_TIME, false)
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, timeoutMillis)
                .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, timeoutMillis)
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, MAX_BODY_BYTES) // handlers bound their own bodies tighter
                .setServerOption(UndertowOptions.MAX_HEADER_SIZE, MAX_HEADER_BYTES)
                .setSocketOption(Options.WRITE_TIMEOUT, (int) Math.min(Integer.MAX_VALUE, writeTimeout.toMillis()))
                .setHandler(handler)
                .build();
        try {
            undertow.start();
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot listen on " + host + ":" + port + ": " + rootMessage(e), e);
        }
        int actual = ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
        log.info("Listening on http://{}:{}", host, actual);
        return new HttpServer(undertow, actual);
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        undertow.stop();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
