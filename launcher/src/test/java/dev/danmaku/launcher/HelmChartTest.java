package dev.danmaku.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.danmaku.archiver.ArchiverConfig;
import dev.danmaku.common.config.Setting;
import dev.danmaku.common.config.SettingValues;
import dev.danmaku.filter.FilterConfig;
import dev.danmaku.gateway.GatewayConfig;

/**
 * The Helm chart, rendered by Helm itself (helm-java, offline) and read back as typed Kubernetes
 * objects: the chart and the code cannot drift apart unnoticed.
 */
class HelmChartTest {

    private static final Path CHART = Path.of(System.getProperty("danmaku.chart", "../helm/danmaku"));
    private static final KubernetesSerialization YAML = new KubernetesSerialization();

    /** What each Deployment runs, the settings that command reads, and those it cannot run without. */
    private record Component(String command, List<Setting> settings, Function<SettingValues, Object> config,
            Set<String> required) {
    }

    private static final Map<String, Component> COMPONENTS = Map.of(
            "gateway", new Component("gateway", GatewayConfig.SETTINGS, GatewayConfig::from,
                    Set.of("DANMAKU_KAFKA_BOOTSTRAP_SERVERS", "DANMAKU_JWT_SECRET", "DANMAKU_GATEWAY_PORT", "DANMAKU_GATEWAY_ID")),
            "filter-service", new Component("filter", FilterConfig.SETTINGS, FilterConfig::from,
                    Set.of("DANMAKU_KAFKA_BOOTSTRAP_SERVERS", "DANMAKU_JWT_SECRET", "DANMAKU_FILTER_PORT",
                            "DANMAKU_FILTER_INSTANCE_ID")),
            "archiver", new Component("archiver", ArchiverConfig.SETTINGS, ArchiverConfig::from,
                    Set.of("DANMAKU_KAFKA_BOOTSTRAP_SERVERS", "DANMAKU_JWT_SECRET", "DANMAKU_ARCHIVE_PORT",
                            "DANMAKU_ARCHIVE_JDBC_URL", "DANMAKU_ARCHIVE_JDBC_USER", "DANMAKU_ARCHIVE_JDBC_PASSWORD")));

    /** What every install must give; a test's own values come on top. */
    private static final Map<String, Object> REQUIRED = Map.of("gateway.allowedOrigins", "https://live.example.com",
            "postgres.password", "s3cret", "ingress.tlsSecret", "live-tls", "kafka.tls.caSecret", "my-cluster-cluster-ca-cert");

    private static List<HasMetadata> render(Map<String, Object> values) {
        Map<String, Object> all = new HashMap<>(REQUIRED);
        all.putAll(values);
        return renderExactly(all);
    }

    private static List<HasMetadata> renderExactly(Map<String, Object> values) {
        TemplateCommand template = new Helm(CHART).template().withName("live").withNamespace("danmaku");
        values.forEach(template::set);
        List<HasMetadata> objects = new ArrayList<>();
        for (String document : template.call().split("(?m)^---\\s*$")) {
            if (document.lines().anyMatch(line -> line.startsWith("kind:"))) {
                objects.add(YAML.unmarshal(document));
            }
        }
        return objects;
    }

    private static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static Deployment deployment(List<HasMetadata> objects, String component) {
        return all(objects, Deployment.class).stream()
                .filter(d -> component.equals(d.getMetadata().getLabels().get("app.kubernetes.io/component")))
                .findFirst().orElseThrow(() -> new AssertionError("no Deployment for " + component));
    }

    @Test
    void lintsCleanInStrictModeWithTheRequiredValues(@TempDir Path copy) throws IOException {
        // helm lint reads values.yaml only: lint a copy whose values.yaml gives what an install must
        try (Stream<Path> files = Files.walk(CHART)) {
            for (Path file : files.toList()) {
                Path target = copy.resolve(CHART.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
        Path values = copy.resolve("values.yaml");
        String given = Files.readString(values).replace("allowedOrigins: \"\"", "allowedOrigins: \"https://live.example.com\"")
                .replace("  password: \"\"", "  password: \"s3cret\"").replace("tlsSecret: \"\"", "tlsSecret: \"live-tls\"")
                .replace("caSecret: \"\"", "caSecret: \"my-cluster-cluster-ca-cert\"");
        assertThat(given).as("the required values were found")
                .contains("https://live.example.com", "s3cret", "live-tls", "my-cluster-cluster-ca-cert");
        Files.writeString(values, given);

        LintResult lint = new Helm(copy).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void anInstallWithoutAllowedOriginsADatabasePasswordOrTlsFailsWithOneClearLine() {
        assertThatThrownBy(() -> renderExactly(Map.of("postgres.password", "s3cret", "ingress.tlsSecret", "t",
                "kafka.tls.caSecret", "ca")))
                .hasMessageContaining("gateway.allowedOrigins is required");
        assertThatThrownBy(() -> renderExactly(Map.of("gateway.allowedOrigins", "*", "ingress.tlsSecret", "t",
                "kafka.tls.caSecret", "ca")))
                .hasMessageContaining("postgres.password is required, or postgres.existingSecret");
        assertThatThrownBy(() -> renderExactly(Map.of("gateway.allowedOrigins", "*", "postgres.password", "s3cret",
                "kafka.tls.caSecret", "ca")))
                .hasMessageContaining("ingress.tlsSecret is required");
        assertThatThrownBy(() -> renderExactly(Map.of("gateway.allowedOrigins", "*", "postgres.password", "s3cret",
                "ingress.tlsSecret", "t")))
                .hasMessageContaining("kafka.tls.caSecret is required").hasMessageContaining("kafka.tls.enabled=false");
        assertThat(renderExactly(Map.of("gateway.allowedOrigins", "*", "postgres.existingSecret", "danmaku-db-app",
                "ingress.allowInsecure", "true", "kafka.tls.enabled", "false"))).as("an existing Secret instead of a"
                + " password; TLS ended elsewhere; a Kafka without TLS, on purpose").isNotEmpty();
    }

    @Test
    void defaultValuesRenderEveryComponentConsistently() {
        List<HasMetadata> objects = render(Map.of());
        for (var entry : COMPONENTS.entrySet()) {
            checkComponent(objects, entry.getKey(), entry.getValue());
        }
        assertThat(all(objects, PodDisruptionBudget.class)).hasSize(3)
                .allSatisfy(pdb -> assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1));
        assertThat(all(objects, HorizontalPodAutoscaler.class)).isEmpty();
        assertThat(all(objects, Secret.class)).extracting(s -> s.getMetadata().getName())
                .containsExactlyInAnyOrder("live-danmaku-jwt", "live-danmaku-postgres");
        checkIngress(objects);
        List<NetworkPolicy> policies = all(objects, NetworkPolicy.class);
        assertThat(policies).hasSize(3).allSatisfy(policy -> {
            assertThat(policy.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
            assertThat(policy.getSpec().getIngress()).allSatisfy(rule -> assertThat(rule.getFrom()).isNotEmpty());
        });
        assertThat(policies).filteredOn(p -> p.getMetadata().getName().endsWith("archiver")).singleElement()
                .satisfies(p -> assertThat(p.getSpec().getEgress()).anySatisfy(rule -> assertThat(rule.getPorts())
                        .anySatisfy(port -> assertThat(port.getPort().getIntVal()).isEqualTo(5432))));
    }

    /** Selectors, ports, probes, settings, security and shutdown of one component's Deployment. */
    private static void checkComponent(List<HasMetadata> objects, String name, Component component) {
        Deployment deployment = deployment(objects, name);
        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(podLabels).containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());

        Service service = all(objects, Service.class).stream()
                .filter(s -> !"None".equals(s.getSpec().getClusterIP()))
                .filter(s -> podLabels.entrySet().containsAll(s.getSpec().getSelector().entrySet()))
                .findFirst().orElseThrow(() -> new AssertionError("no Service selects " + name));
        Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getArgs()).containsExactly(component.command());
        int port = container.getPorts().stream().filter(p -> "http".equals(p.getName())).findFirst().orElseThrow()
                .getContainerPort();
        assertThat(service.getSpec().getPorts().get(0).getTargetPort().getStrVal()).isEqualTo("http");

        int managementPort = container.getPorts().stream().filter(p -> "management".equals(p.getName())).findFirst()
                .orElseThrow().getContainerPort();
        for (Probe probe : List.of(container.getLivenessProbe(), container.getReadinessProbe(), container.getStartupProbe())) {
            assertThat(probe.getHttpGet().getPath()).isIn("/healthz", "/readyz");
            assertThat(probe.getHttpGet().getPort().getStrVal()).as("probes on the management port").isEqualTo("management");
        }
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");

        Map<String, String> settings = effectiveEnvironment(objects, container);
        Set<String> known = component.settings().stream().map(Setting::env).collect(Collectors.toSet());
        assertThat(settings.keySet())
                .as("every variable the chart sets for %s is read by its config", name)
                .allMatch(env -> known.contains(env) || env.startsWith("DANMAKU_KAFKA_"));
        assertThat(settings.keySet()).as("required settings of %s", name).containsAll(component.required());
        String portSetting = component.required().stream().filter(s -> s.endsWith("_PORT") && !s.contains("MANAGEMENT"))
                .findFirst().orElseThrow();
        assertThat(settings.get(portSetting)).isEqualTo(Integer.toString(port));
        assertThat(settings.get("DANMAKU_MANAGEMENT_PORT")).isEqualTo(Integer.toString(managementPort));
        assertThat(managementPort).isNotEqualTo(port);
        // the values themselves must be ones the service accepts
        component.config().apply(SettingValues.resolve(component.settings(), settings, Map.of()));

        var pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getAutomountServiceAccountToken()).as("no API token in the pods").isFalse();
        assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals("tmp"))
                .allSatisfy(v -> assertThat(v.getEmptyDir().getSizeLimit().toString()).isEqualTo("256Mi"));
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        long preStop = container.getLifecycle().getPreStop().getSleep().getSeconds();
        assertThat(pod.getTerminationGracePeriodSeconds()).as("grace outlasts preStop plus the drain")
                .isGreaterThan(preStop + 5);
        assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations()).containsKey("checksum/config");
    }

    /** Variables as the container sees them: envFrom ConfigMaps, then env; secrets and pod fields as placeholders. */
    private static Map<String, String> effectiveEnvironment(List<HasMetadata> objects, Container container) {
        Map<String, String> environment = new HashMap<>();
        container.getEnvFrom().forEach(source -> {
            String configMap = source.getConfigMapRef().getName();
            ConfigMap map = all(objects, ConfigMap.class).stream()
                    .filter(c -> c.getMetadata().getName().equals(configMap)).findFirst()
                    .orElseThrow(() -> new AssertionError("envFrom names a missing ConfigMap " + configMap));
            environment.putAll(map.getData());
        });
        for (EnvVar env : container.getEnv()) {
            environment.put(env.getName(), env.getValueFrom() == null ? Optional.ofNullable(env.getValue()).orElse("")
                    : "from-secret-or-pod-0123456789abcdef");
        }
        return environment;
    }

    private static void checkIngress(List<HasMetadata> objects) {
        Ingress ingress = all(objects, Ingress.class).get(0);
        assertThat(ingress.getSpec().getTls()).singleElement().satisfies(tls -> assertThat(tls.getSecretName()).isEqualTo("live-tls"));
        Map<String, Integer> servicePorts = all(objects, Service.class).stream().collect(Collectors.toMap(
                s -> s.getMetadata().getName(), s -> s.getSpec().getPorts().get(0).getPort()));
        Map<String, String> routes = new HashMap<>();
        ingress.getSpec().getRules().get(0).getHttp().getPaths().forEach(path -> {
            var backend = path.getBackend().getService();
            assertThat(servicePorts).containsEntry(backend.getName(), backend.getPort().getNumber());
            routes.put(path.getPath(), backend.getName());
        });
        assertThat(routes).containsEntry("/", "live-danmaku-gateway").containsEntry("/ws", "live-danmaku-gateway")
                .containsEntry("/api/v1/moderation", "live-danmaku-filter-service")
                .containsEntry("/api/v1/archive", "live-danmaku-archiver");
    }

    @Test
    void gatewaysAskEachOtherThroughAHeadlessServiceOfTheirProbes() {
        List<HasMetadata> objects = render(Map.of());
        Deployment gateway = deployment(objects, "gateway");
        List<Service> headless = all(objects, Service.class).stream().filter(s -> "None".equals(s.getSpec().getClusterIP()))
                .toList();
        assertThat(headless).hasSize(1);
        Service peers = headless.get(0);
        assertThat(gateway.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(peers.getSpec().getSelector());
        assertThat(peers.getSpec().getPublishNotReadyAddresses()).as("only gateways that hear Kafka").isNotEqualTo(true);
        Map<String, String> settings = effectiveEnvironment(objects, gateway.getSpec().getTemplate().getSpec().getContainers().get(0));
        assertThat(settings.get("DANMAKU_GATEWAY_PEERS"))
                .isEqualTo("http://" + peers.getMetadata().getName() + ":" + peers.getSpec().getPorts().get(0).getPort());
        assertThat(peers.getSpec().getPorts().get(0).getTargetPort().getStrVal()).isEqualTo("management");
        NetworkPolicy policy = all(objects, NetworkPolicy.class).stream()
                .filter(p -> p.getMetadata().getName().endsWith("gateway")).findFirst().orElseThrow();
        assertThat(policy.getSpec().getIngress()).anySatisfy(rule -> assertThat(rule.getFrom())
                .anySatisfy(from -> assertThat(from.getPodSelector()).extracting(LabelSelector::getMatchLabels)
                        .isEqualTo(peers.getSpec().getSelector())));
        assertThat(policy.getSpec().getEgress()).anySatisfy(rule -> assertThat(rule.getTo())
                .anySatisfy(to -> assertThat(to.getPodSelector()).extracting(LabelSelector::getMatchLabels)
                        .isEqualTo(peers.getSpec().getSelector())));
    }

    @Test
    void hpaOnLeavesReplicasToTheAutoscaler() {
        List<HasMetadata> objects = render(Map.of("gateway.hpa.enabled", "true", "filterService.hpa.enabled", "true",
                "archiver.hpa.enabled", "true"));
        List<HorizontalPodAutoscaler> autoscalers = all(objects, HorizontalPodAutoscaler.class);
        assertThat(autoscalers).hasSize(3);
        for (HorizontalPodAutoscaler hpa : autoscalers) {
            Deployment target = all(objects, Deployment.class).stream()
                    .filter(d -> d.getMetadata().getName().equals(hpa.getSpec().getScaleTargetRef().getName()))
                    .findFirst().orElseThrow();
            assertThat(target.getSpec().getReplicas()).isNull();
        }
    }

    @Test
    void existingSecretsAreUsedInsteadOfRenderedOnes() {
        List<HasMetadata> objects = render(Map.of("jwt.existingSecret", "my-jwt", "jwt.existingSecretKey", "key",
                "postgres.existingSecret", "danmaku-db-app"));
        assertThat(all(objects, Secret.class)).isEmpty();
        for (String component : COMPONENTS.keySet()) {
            Container container = deployment(objects, component).getSpec().getTemplate().getSpec().getContainers().get(0);
            EnvVar jwt = container.getEnv().stream().filter(e -> e.getName().equals("DANMAKU_JWT_SECRET")).findFirst().orElseThrow();
            assertThat(jwt.getValueFrom().getSecretKeyRef().getName()).isEqualTo("my-jwt");
            assertThat(jwt.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("key");
        }
        Container archiver = deployment(objects, "archiver").getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(archiver.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("DANMAKU_ARCHIVE_JDBC_PASSWORD");
            assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("danmaku-db-app");
        });
    }

    @Test
    void aShortOrPublishedJwtSecretIsRefusedAtInstall() {
        for (String secret : List.of("short-secret", "danmaku-dev-secret-change-me-in-production")) {
            assertThatThrownBy(() -> render(Map.of("jwt.secret", secret, "postgres.password", "s3cret")))
                    .as(secret).hasMessageContaining("jwt");
        }
    }

    @Test
    void withAnIdentityProviderTheGatewaysGetItsKeysAndNoSecret() {
        List<HasMetadata> objects = render(Map.of("jwt.jwksUrl", "https://id.example.com/jwks.json",
                "jwt.issuer", "https://id.example.com"));
        for (var entry : COMPONENTS.entrySet()) {
            Container container = deployment(objects, entry.getKey()).getSpec().getTemplate().getSpec().getContainers().get(0);
            Map<String, String> settings = effectiveEnvironment(objects, container);
            assertThat(settings).containsEntry("DANMAKU_JWT_JWKS_URL", "https://id.example.com/jwks.json")
                    .containsEntry("DANMAKU_JWT_ISSUER", "https://id.example.com");
            assertThat(settings.containsKey("DANMAKU_JWT_SECRET")).as("secret in %s", entry.getKey())
                    .isEqualTo(!entry.getKey().equals("gateway"));
            // the values are ones the service accepts: a gateway without a secret included
            entry.getValue().config().apply(SettingValues.resolve(entry.getValue().settings(), settings, Map.of()));
        }
        assertThatThrownBy(() -> render(Map.of("jwt.jwksUrl", "http://id.example.com/jwks.json")))
                .hasMessageContaining("jwksUrl");
    }

    @Test
    void ingressCanBeTurnedOff() {
        assertThat(all(render(Map.of("ingress.enabled", "false")), Ingress.class)).isEmpty();
    }

    @Test
    void eachComponentMayHaveAKafkaLoginOfItsOwn() {
        List<HasMetadata> objects = render(Map.of("kafka.sasl.enabled", "true", "kafka.sasl.existingSecret", "danmaku",
                "kafka.sasl.componentSecrets.gateway", "danmaku-gateway", "kafka.sasl.componentSecrets.archiver", "danmaku-archiver"));
        Map<String, String> logins = COMPONENTS.keySet().stream().collect(Collectors.toMap(component -> component,
                component -> deployment(objects, component).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()
                        .stream().filter(e -> e.getName().equals("DANMAKU_KAFKA_SASL_JAAS_CONFIG")).findFirst().orElseThrow()
                        .getValueFrom().getSecretKeyRef().getName()));
        assertThat(logins).containsExactlyInAnyOrderEntriesOf(Map.of("gateway", "danmaku-gateway",
                "filter-service", "danmaku", "archiver", "danmaku-archiver"));
    }

    @Test
    void eachComponentMayPresentAClientCertificateOfItsOwnOverTls() {
        List<HasMetadata> objects = render(Map.of("kafka.tls.enabled", "true", "kafka.tls.caSecret", "my-cluster-cluster-ca-cert",
                "kafka.tls.clientCertSecrets.filter-service", "danmaku-filter", "kafka.tls.clientCertSecrets.archiver",
                "danmaku-archiver"));
        for (String component : COMPONENTS.keySet()) {
            var pod = deployment(objects, component).getSpec().getTemplate().getSpec();
            Container container = pod.getContainers().get(0);
            Map<String, EnvVar> env = container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
            assertThat(env.get("DANMAKU_KAFKA_SECURITY_PROTOCOL").getValue()).isEqualTo("SSL");
            if (component.equals("gateway")) {
                assertThat(env).doesNotContainKey("DANMAKU_KAFKA_SSL_KEYSTORE_LOCATION");
                assertThat(pod.getVolumes()).noneMatch(v -> v.getName().equals("kafka-client"));
                continue;
            }
            String secret = component.equals("archiver") ? "danmaku-archiver" : "danmaku-filter";
            String mountPath = container.getVolumeMounts().stream().filter(m -> m.getName().equals("kafka-client")).findFirst()
                    .orElseThrow().getMountPath();
            assertThat(env.get("DANMAKU_KAFKA_SSL_KEYSTORE_LOCATION").getValue()).isEqualTo(mountPath + "/user.p12");
            assertThat(env.get("DANMAKU_KAFKA_SSL_KEYSTORE_TYPE").getValue()).isEqualTo("PKCS12");
            assertThat(env.get("DANMAKU_KAFKA_SSL_KEYSTORE_PASSWORD").getValueFrom().getSecretKeyRef())
                    .satisfies(ref -> assertThat(ref.getName() + "/" + ref.getKey()).isEqualTo(secret + "/user.password"));
            assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals("kafka-client"))
                    .singleElement().satisfies(v -> assertThat(v.getSecret().getSecretName()).isEqualTo(secret));
        }
        assertThatThrownBy(() -> render(Map.of("kafka.tls.enabled", "false", "kafka.tls.clientCertSecrets.gateway",
                "danmaku-gateway")))
                .hasMessageContaining("kafka.tls.clientCertSecrets need kafka.tls.enabled");
    }

    @Test
    void tlsAndScramKafkaMountTheTruststoreAndPassTheClientProperties() {
        List<HasMetadata> objects = render(Map.of("kafka.tls.enabled", "true", "kafka.tls.caSecret", "my-cluster-cluster-ca-cert",
                "kafka.sasl.enabled", "true", "kafka.sasl.existingSecret", "danmaku-user",
                "kafka.properties.client\\.rack", "zone-a"));
        for (var entry : COMPONENTS.entrySet()) {
            checkComponent(objects, entry.getKey(), entry.getValue());
            var pod = deployment(objects, entry.getKey()).getSpec().getTemplate().getSpec();
            Container container = pod.getContainers().get(0);
            Map<String, EnvVar> env = container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
            assertThat(env.get("DANMAKU_KAFKA_SECURITY_PROTOCOL").getValue()).isEqualTo("SASL_SSL");
            assertThat(env.get("DANMAKU_KAFKA_SASL_JAAS_CONFIG").getValueFrom().getSecretKeyRef().getName()).isEqualTo("danmaku-user");
            assertThat(env.get("DANMAKU_KAFKA_CLIENT_RACK").getValue()).isEqualTo("zone-a");
            String truststore = env.get("DANMAKU_KAFKA_SSL_TRUSTSTORE_LOCATION").getValue();
            String mountPath = container.getVolumeMounts().stream().filter(m -> m.getName().equals("kafka-ca")).findFirst()
                    .orElseThrow().getMountPath();
            assertThat(truststore).startsWith(mountPath + "/");
            assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals("kafka-ca"))
                    .singleElement().satisfies(v -> assertThat(v.getSecret().getSecretName()).isEqualTo("my-cluster-cluster-ca-cert"));
        }
    }

    @Test
    void strimziTopicsMatchTheTopicsTheServicesUse() {
        List<HasMetadata> objects = render(Map.of("kafka.strimziTopics.enabled", "true", "kafka.topicPrefix", "prod."));
        // name, cleanup policy and retention, as the chart declares them and as the services create them
        List<String> topics = all(objects, GenericKubernetesResource.class).stream()
                .filter(o -> o.getKind().equals("KafkaTopic"))
                .map(o -> (Map<?, ?>) o.getAdditionalProperties().get("spec"))
                .map(spec -> spec.get("topicName") + " " + ((Map<?, ?>) spec.get("config")).get("cleanup.policy") + " "
                        + ((Map<?, ?>) spec.get("config")).get("retention.ms"))
                .toList();
        List<String> used = new dev.danmaku.common.kafka.Topics("prod.").all(6, (short) 3).stream()
                .map(topic -> topic.name() + " " + topic.configs().getOrDefault("cleanup.policy", "delete")
                        + " " + topic.configs().get("retention.ms"))
                .toList();
        assertThat(topics).containsExactlyInAnyOrderElementsOf(used);
    }
}
