package dev.danmaku.launcher;

import java.io.PrintWriter;

import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import dev.danmaku.archiver.ArchiverConfig;
import dev.danmaku.common.config.InvalidSettingException;
import dev.danmaku.filter.FilterConfig;
import dev.danmaku.gateway.GatewayConfig;

/** The {@code danmaku} command. */
@Command(name = "danmaku", mixinStandardHelpOptions = true, versionProvider = Danmaku.Version.class,
        description = "Live danmaku (bullet comments) on Kafka. Every setting is also read from its DANMAKU_*"
                + " environment variable; a flag wins over the variable.",
        subcommandsRepeatable = false)
public final class Danmaku implements Runnable {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine root = new CommandLine(new Danmaku())
                .addSubcommand("dev", SettingOptions.command(new DevCommand(), DevCommand.SETTINGS))
                .addSubcommand("kafka", SettingOptions.command(new KafkaCommand(), KafkaCommand.SETTINGS))
                .addSubcommand("gateway", SettingOptions.command(new GatewayCommand(), GatewayConfig.SETTINGS))
                .addSubcommand("filter", SettingOptions.command(new FilterCommand(), FilterConfig.SETTINGS))
                .addSubcommand("archiver", SettingOptions.command(new ArchiverCommand(), ArchiverConfig.SETTINGS))
                .addSubcommand("token", SettingOptions.command(new TokenCommand(), TokenCommand.SETTINGS));
        root.setExecutionExceptionHandler(Danmaku::reportFailure);
        return root;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** A bad setting or a failed start is told in one line, not a stack trace (the log has it at debug). */
    private static int reportFailure(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        PrintWriter err = commandLine.getErr();
        String command = commandLine.getCommandName();
        if (e instanceof InvalidSettingException) {
            err.println(command + ": " + e.getMessage());
            err.println("See: danmaku " + command + " --help");
            return 2;
        }
        LoggerFactory.getLogger(Danmaku.class).debug("{} failed", command, e);
        err.println(command + ": " + e.getMessage());
        return 1;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Danmaku.class.getPackage().getImplementationVersion();
            return new String[] {"danmaku " + (version == null ? "(development build)" : version)};
        }
    }
}
