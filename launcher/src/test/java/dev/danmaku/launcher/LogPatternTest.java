package dev.danmaku.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;

class LogPatternTest {

    @Test
    void logsALineBreakInInputAsEscapesSoNoOneCanForgeALogLine() throws Exception {
        String xml;
        try (InputStream in = LogPatternTest.class.getResourceAsStream("/danmaku-logback.xml")) {
            xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher pattern = Pattern.compile("<pattern>(.*)</pattern>").matcher(xml);
        assertThat(pattern.find()).isTrue();
        LoggerContext context = new LoggerContext();
        PatternLayout layout = new PatternLayout();
        layout.setContext(context);
        layout.setPattern(pattern.group(1));
        layout.start();

        LoggingEvent event = new LoggingEvent(LogPatternTest.class.getName(), context.getLogger("dev.danmaku.x"),
                Level.WARN, "bad room {}", null, new Object[] {"a\r\n12:00:00.000 ERROR [main] forged - admin logged in"});
        String line = layout.doLayout(event);

        assertThat(line).endsWith("bad room a\\r\\n12:00:00.000 ERROR [main] forged - admin logged in" + System.lineSeparator());
        assertThat(line.strip()).doesNotContain("\n").doesNotContain("\r");
    }
}
