package dev.danmaku.launcher;

import static org.apache.kafka.common.acl.AclOperation.ALTER;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.danmaku.archiver.Archiver;
import dev.danmaku.archiver.ArchiverConfig;
import dev.danmaku.common.auth.Identity;
import dev.danmaku.common.auth.Tokens;
import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.common.config.SettingValues;
import dev.danmaku.common.http.HttpServer;
import dev.danmaku.common.http.Routes;
import dev.danmaku.common.kafka.KafkaClients;
import dev.danmaku.common.kafka.Topics;
import dev.danmaku.filter.FilterConfig;
import dev.danmaku.filter.FilterService;
import dev.danmaku.filter.pipeline.HangingTransactions;
import dev.danmaku.gateway.Gateway;
import dev.danmaku.gateway.GatewayConfig;
import dev.danmaku.kafka.embedded.EmbeddedKafkaBroker;
import dev.danmaku.proto.v1.Ack;
import dev.danmaku.proto.v1.ClientFrame;
import dev.danmaku.proto.v1.Join;
import dev.danmaku.proto.v1.Send;
import dev.danmaku.proto.v1.ServerFrame;
import dev.danmaku.proto.v1.Verdict;
import dev.danmaku.testkit.ChildJvm;
import dev.danmaku.testkit.DanmakuIT;
import dev.danmaku.testkit.PostgresDatabase;
import dev.danmaku.testkit.TestCertificates;
import dev.danmaku.testkit.TestSecrets;
import dev.danmaku.testkit.ViewerClient;

/**
 * The services on a broker that admits only clients with a certificate (TLS, {@code ssl.client.auth=required})
 * and allows nothing no ACL allows: each component presents a certificate of its own, configured as the chart
 * configures it (DANMAKU_KAFKA_SSL_*), and holds exactly the rights of docs/operations.md, "Kafka logins and
 * ACLs per component". The principals are {@code User:CN=<component>}, as Strimzi's brokers name them.
 */
@DanmakuIT
class KafkaClientCertificatesIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Topics TOPICS = new Topics("");
    private static final String GATEWAY = "User:CN=gateway";
    private static final String FILTER = "User:CN=filter-service";
    private static final String ARCHIVER = "User:CN=archiver";

    @TempDir
    static Path dir;
    private static TestCertificates certificates;
    /** Each component's key store, and the test's own as the admin: made once, as a Secret would be. */
    private static final Map<String, Path> keyStores = new HashMap<>();
    private static EmbeddedKafkaBroker broker;
    private static final List<AutoCloseable> running = new ArrayList<>();
    private static Tokens tokens;
    private static String gatewayUrl;
    private static String archiveApi;
    private static String moderationApi;

    @BeforeAll
    static void start(PostgresDatabase postgres) throws Exception {
        certificates = TestCertificates.createIn(dir.resolve("certificates"));
        broker = EmbeddedKafkaBroker.startWithClientCertificates(dir.resolve("kafka"), new EmbeddedKafkaBroker.ClientCertificates(
                certificates.keyStore("broker", "127.0.0.1", "localhost"), certificates.trustStore(), certificates.password(),
                List.of("User:CN=broker", "User:CN=admin")));
        for (String owner : List.of("admin", "gateway", "filter-service", "archiver")) {
            keyStores.put(owner, certificates.keyStore(owner));
        }
        try (Admin admin = Admin.create(clientsOf("admin").adminProperties())) {
            admin.createTopics(TOPICS.all(3, (short) -1)).all().get(30, TimeUnit.SECONDS);
            admin.createAcls(documentedAcls()).all().get(30, TimeUnit.SECONDS);
        }

        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        CommonConfig filter = commonOf("filter-service");
        FilterService filterService = started(FilterService.start(new FilterConfig(filter, 0, "mtls", List.of("badword")), meters));
        moderationApi = "http://127.0.0.1:" + listen(filterService.mount(Routes.withProbes(filterService::ready, meters)))
                + "/api/v1/moderation";
        Archiver archiver = started(Archiver.start(new ArchiverConfig(commonOf("archiver"), 0, postgres.jdbcUrl(),
                postgres.user(), postgres.password(), 2), meters));
        archiveApi = "http://127.0.0.1:" + listen(archiver.mount(Routes.withProbes(archiver::ready, meters))) + "/api/v1/archive";
        Gateway gateway = started(Gateway.start(GatewayConfig.defaults(commonOf("gateway"), "gw-mtls"), meters));
        gatewayUrl = "ws://127.0.0.1:" + listen(gateway.mount(Routes.withProbes(gateway::ready, meters))) + "/ws";
        tokens = new Tokens(filter.jwtSecret());
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable part : running) {
            part.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** The table of docs/operations.md, "Kafka logins and ACLs per component": change both together. */
    private static List<AclBinding> documentedAcls() {
        List<AclBinding> acls = new ArrayList<>();
        // each service checks at start that all the platform's topics exist, and a topic it may not describe looks missing
        for (String principal : List.of(GATEWAY, FILTER, ARCHIVER)) {
            TOPICS.all(1, (short) -1).forEach(topic -> acls.addAll(topic(principal, topic.name(), DESCRIBE)));
        }
        acls.addAll(topic(GATEWAY, TOPICS.raw(), WRITE));
        acls.addAll(topic(GATEWAY, TOPICS.filtered(), READ));
        acls.addAll(topic(GATEWAY, TOPICS.presence(), READ, WRITE));

        acls.addAll(topic(FILTER, TOPICS.raw(), READ));
        acls.addAll(topic(FILTER, TOPICS.filtered(), READ, WRITE));
        acls.addAll(topic(FILTER, TOPICS.control(), READ, WRITE));
        acls.addAll(topic(FILTER, TOPICS.deadLetter(), WRITE));
        acls.addAll(topic(FILTER, TOPICS.audit(), READ, WRITE));
        acls.addAll(topic(FILTER, Topic.GROUP_METADATA_TOPIC_NAME, READ, DESCRIBE));
        acls.addAll(allow(FILTER, new ResourcePattern(ResourceType.GROUP, FilterService.CONSUMER_GROUP, PatternType.LITERAL),
                READ));
        acls.addAll(allow(FILTER, new ResourcePattern(ResourceType.TRANSACTIONAL_ID, FilterService.CONSUMER_GROUP,
                PatternType.PREFIXED), WRITE, DESCRIBE));
        acls.addAll(allow(FILTER, new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL),
                DESCRIBE_CONFIGS, ALTER));

        acls.addAll(topic(ARCHIVER, TOPICS.filtered(), READ));
        acls.addAll(allow(ARCHIVER, new ResourcePattern(ResourceType.GROUP, Archiver.CONSUMER_GROUP, PatternType.LITERAL),
                READ));
        return acls;
    }

    private static List<AclBinding> topic(String principal, String topic, AclOperation... operations) {
        return allow(principal, new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL), operations);
    }

    private static List<AclBinding> allow(String principal, ResourcePattern resource, AclOperation... operations) {
        return Arrays.stream(operations)
                .map(operation -> new AclBinding(resource, new AccessControlEntry(principal, "*", operation,
                        AclPermissionType.ALLOW)))
                .toList();
    }

    /** What the chart gives a component: TLS, the cluster CA, and its own key store when it has one. */
    private static Map<String, String> environment(String keyStoreOwner) {
        Map<String, String> env = new HashMap<>(Map.of(
                "DANMAKU_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                "DANMAKU_KAFKA_SECURITY_PROTOCOL", "SSL",
                "DANMAKU_KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12",
                "DANMAKU_KAFKA_SSL_TRUSTSTORE_LOCATION", certificates.trustStore().toString(),
                "DANMAKU_KAFKA_SSL_TRUSTSTORE_PASSWORD", certificates.password(),
                "DANMAKU_JWT_SECRET", TestSecrets.JWT,
                "DANMAKU_TOPIC_PARTITIONS", "3",
                "DANMAKU_BIND_HOST", "127.0.0.1"));
        if (keyStoreOwner != null) {
            env.put("DANMAKU_KAFKA_SSL_KEYSTORE_TYPE", "PKCS12");
            env.put("DANMAKU_KAFKA_SSL_KEYSTORE_LOCATION", keyStores.get(keyStoreOwner).toString());
            env.put("DANMAKU_KAFKA_SSL_KEYSTORE_PASSWORD", certificates.password());
        }
        return env;
    }

    private static CommonConfig commonOf(String component) {
        return CommonConfig.from(SettingValues.of(CommonConfig.SETTINGS, environment(component)));
    }

    private static KafkaClients clientsOf(String component) {
        return new KafkaClients(commonOf(component));
    }

    private static int listen(Routes routes) {
        return started(HttpServer.start("127.0.0.1", 0, routes.handler())).port();
    }

    private static <T extends AutoCloseable> T started(T part) {
        running.add(0, part);
        return part;
    }

    private static Ack send(ViewerClient viewer, String clientMsgId, String text) {
        viewer.send(ClientFrame.newBuilder().setSend(Send.newBuilder().setClientMsgId(clientMsgId).setText(text)).build());
        return viewer.await(f -> f.hasAck() && f.getAck().getClientMsgId().equals(clientMsgId), WAIT).getAck();
    }

    @Test
    void aDanmakuGoesThroughEveryComponentEachWithItsOwnCertificate() throws Exception {
        try (ViewerClient alice = ViewerClient.connect(gatewayUrl, ViewerClient.JSON)) {
            alice.send(ClientFrame.newBuilder().setJoin(Join.newBuilder().setRoomId("tls-room")
                    .setToken(tokens.issue("alice", "Alice", Set.of(Identity.VIEWER), Duration.ofMinutes(10)))).build());
            alice.await(ServerFrame::hasJoined, WAIT);

            assertThat(send(alice, "c1", "a badword over mutual TLS").getVerdict()).isEqualTo(Verdict.REJECTED);
            // a moderator's rule: the change and its audit entry in one transaction, under the filter's own rights
            String moderator = tokens.issue("mo", "Mo", Set.of(Identity.MODERATOR), Duration.ofMinutes(5));
            HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(moderationApi + "/rules"))
                    .header("Authorization", "Bearer " + moderator).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"pattern\": \"tlsword\", \"roomId\": \"tls-room\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            assertThat(send(alice, "c0", "a tlsword over mutual TLS").getVerdict()).isEqualTo(Verdict.REJECTED);
            assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(moderationApi + "/audit"))
                    .header("Authorization", "Bearer " + moderator).build(), HttpResponse.BodyHandlers.ofString()).body())
                    .contains("rule.create");
            Ack ack = send(alice, "c2", "hello over mutual TLS");
            assertThat(ack.getVerdict()).isEqualTo(Verdict.ACCEPTED);
            String msgId = ack.getMsgId();
            alice.await(f -> f.hasBatch() && f.getBatch().getDanmakuList().stream().anyMatch(d -> d.getMsgId().equals(msgId)),
                    WAIT);

            String analyst = tokens.issue("ana", "Ana", Set.of(Identity.ANALYST), Duration.ofMinutes(5));
            HttpRequest archived = HttpRequest.newBuilder(URI.create(archiveApi + "/rooms/tls-room/danmaku"))
                    .header("Authorization", "Bearer " + analyst).build();
            await().atMost(WAIT).until(() -> HttpClient.newHttpClient().send(archived, HttpResponse.BodyHandlers.ofString())
                    .body(), body -> body.contains(msgId) && body.contains("hello over mutual TLS"));
        }
    }

    @Test
    void theFiltersCertificateMayRunTheHangingTransactionCheck() throws Exception {
        try (Admin admin = Admin.create(clientsOf("filter-service").adminProperties())) {
            HangingTransactions.Cluster cluster = HangingTransactions.through(admin, Duration.ofSeconds(10));
            int offsetPartitions = cluster.partitionCount(Topic.GROUP_METADATA_TOPIC_NAME);
            TopicPartition groupOffsets = new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME,
                    Utils.abs(FilterService.CONSUMER_GROUP.hashCode()) % offsetPartitions);
            List<TopicPartition> watched = List.of(new TopicPartition(TOPICS.filtered(), 0), groupOffsets);

            // what the check asks; without Describe and Read on __consumer_offsets each is refused, and the check never runs
            assertThat(cluster.unstable(watched)).isEmpty();
            assertThat(cluster.openTransactions(watched)).allSatisfy(open -> assertThat(open.partition()).isIn(watched));
        }
    }

    @Test
    void theGatewaysCertificateMayNotWriteVerdicts() {
        try (KafkaProducer<String, byte[]> producer = clientsOf("gateway").producer("gateway-posing-as-filter",
                Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000))) {
            var send = producer.send(new ProducerRecord<>(TOPICS.filtered(), "tls-room", new byte[] {1}));
            assertThatThrownBy(() -> send.get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(TopicAuthorizationException.class)
                    .hasMessageContaining(TOPICS.filtered());
        }
    }

    @Test
    void aGatewayWithoutACertificateStopsAtStartAndSaysWhy() throws Exception {
        Path output = dir.resolve("gateway-without-certificate.log");
        ProcessBuilder builder = new ProcessBuilder(ChildJvm.command(List.of(), Danmaku.class, "gateway", "--port", "0",
                "--gateway-allowed-origins", "*"))
                .redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().putAll(environment(null));
        Process gateway = builder.start();
        try {
            assertThat(gateway.waitFor(60, TimeUnit.SECONDS)).as("exited within 60 s").isTrue();
            String said = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(gateway.exitValue()).as(said).isEqualTo(1);
            assertThat(said).contains("gateway: cannot list topics at " + broker.bootstrapServers())
                    .contains("bad_certificate");
        } finally {
            gateway.destroyForcibly();
        }
    }
}
