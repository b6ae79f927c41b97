package dev.danmaku.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;

import com.auth0.jwt.JWT;
import com.auth0.jwt.interfaces.DecodedJWT;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import dev.danmaku.testkit.TestSecrets;

class TokenCommandTest {

    private record Run(int exit, String out, String err) {
    }

    private static Run token(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = Danmaku.commandLine();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 2];
        all[0] = "token";
        all[1] = "--jwt-secret=" + TestSecrets.JWT;
        System.arraycopy(args, 0, all, 2, args.length);
        return new Run(command.execute(all), out.toString().strip(), err.toString());
    }

    private static Duration lifetime(String token) {
        DecodedJWT jwt = JWT.decode(token);
        return Duration.between(jwt.getIssuedAtAsInstant(), jwt.getExpiresAtAsInstant());
    }

    @Test
    void givesEachRoleTheLongestLifeItMayHaveAndRefusesMore() {
        assertThat(lifetime(token("--user", "v").out())).isEqualTo(Duration.ofHours(24));
        assertThat(lifetime(token("--user", "m", "--role", "moderator").out())).isEqualTo(Duration.ofHours(1));
        assertThat(lifetime(token("--user", "m", "--role", "analyst", "--jwt-staff-lifetime-minutes=15").out()))
                .isEqualTo(Duration.ofMinutes(15));

        assertThat(JWT.decode(token("--user", "m", "--role", "moderator", "--rooms", "a,b").out()).getClaim("rooms")
                .asList(String.class)).containsExactlyInAnyOrder("a", "b");
        assertThat(token("--user", "m", "--role", "moderator", "--rooms", "no spaces").err()).contains("is not a room id");

        Run tooLong = token("--user", "m", "--role", "admin", "--ttl", "PT2H");
        assertThat(tooLong.exit()).isEqualTo(2);
        assertThat(tooLong.err()).contains("--ttl must be positive and at most PT1H");
    }
}
