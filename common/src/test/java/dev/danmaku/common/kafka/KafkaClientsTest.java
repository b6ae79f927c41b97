package dev.danmaku.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import javax.net.ssl.SSLHandshakeException;

import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

class KafkaClientsTest {

    @Test
    void aRefusedCertificateIsNamedBesideKafkasOwnWords() {
        var refused = new SslAuthenticationException("Failed to process post-handshake messages",
                new SSLHandshakeException("Received fatal alert: bad_certificate"));

        assertThat(KafkaClients.why(refused))
                .isEqualTo("Failed to process post-handshake messages (Received fatal alert: bad_certificate)");
    }

    @Test
    void aFailureWithoutACauseIsToldAsItIs() {
        assertThat(KafkaClients.why(new TopicAuthorizationException("Authorization failed.")))
                .isEqualTo("Authorization failed.");
    }
}
