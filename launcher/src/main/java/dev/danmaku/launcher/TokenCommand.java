package dev.danmaku.launcher;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import dev.danmaku.common.auth.Identity;
import dev.danmaku.common.auth.Tokens;
import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.common.config.Setting;

@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Print a signed token (JWT) for a user, signed with DANMAKU_JWT_SECRET (for a dev platform, ask"
                + " its gateway instead: /api/v1/dev/token).")
final class TokenCommand implements Callable<Integer> {

    static final List<Setting> SETTINGS = List.of(CommonConfig.JWT_SECRET);

    @Spec
    CommandSpec spec;

    @Option(names = "--user", required = true, description = "User id (the token's sub).")
    String user;

    @Option(names = "--name", description = "Display name; default the user id.")
    String name;

    @Option(names = "--role", split = ",", defaultValue = "viewer",
            description = "Roles, comma-separated: viewer, moderator, analyst, admin. Default: ${DEFAULT-VALUE}.")
    Set<String> roles;

    @Option(names = "--ttl", defaultValue = "PT24H",
            description = "Lifetime as an ISO-8601 duration (PT1H, PT30M), at most PT24H. Default: ${DEFAULT-VALUE}.")
    Duration ttl;

    @Override
    public Integer call() {
        for (String role : roles) {
            if (!Identity.ALL_ROLES.contains(role)) {
                throw new ParameterException(spec.commandLine(), "unknown role '" + role + "'; roles are " + Identity.ALL_ROLES);
            }
        }
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(Tokens.MAX_LIFETIME) > 0) {
            throw new ParameterException(spec.commandLine(), "--ttl must be positive and at most " + Tokens.MAX_LIFETIME);
        }
        String secret = CommonConfig.checkJwtSecret(SettingOptions.resolve(spec, SETTINGS).string(CommonConfig.JWT_SECRET));
        spec.commandLine().getOut().println(new Tokens(secret).issue(user, name == null ? user : name, roles, ttl));
        return 0;
    }
}
