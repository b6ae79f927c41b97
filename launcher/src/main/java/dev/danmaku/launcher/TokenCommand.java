package dev.danmaku.launcher;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import dev.danmaku.common.RoomIds;
import dev.danmaku.common.auth.Identity;
import dev.danmaku.common.auth.Tokens;
import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.common.config.Setting;
import dev.danmaku.common.config.SettingValues;

@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Print a signed token (JWT) for a user, signed with DANMAKU_JWT_SECRET (for a dev platform, ask"
                + " its gateway instead: /api/v1/dev/token).")
final class TokenCommand implements Callable<Integer> {

    static final List<Setting> SETTINGS = List.of(CommonConfig.JWT_SECRET, CommonConfig.STAFF_TOKEN_MINUTES);

    @Spec
    CommandSpec spec;

    @Option(names = "--user", required = true, description = "User id (the token's sub).")
    String user;

    @Option(names = "--name", description = "Display name; default the user id.")
    String name;

    @Option(names = "--role", split = ",", defaultValue = "viewer",
            description = "Roles, comma-separated: viewer, moderator, analyst, admin. Default: ${DEFAULT-VALUE}.")
    Set<String> roles;

    @Option(names = "--rooms", split = ",", description = "Rooms a moderator is limited to, comma-separated;"
            + " default every room (global rules, imports and global mutes stay for admins).")
    Set<String> rooms = Set.of();

    @Option(names = "--ttl", description = "Lifetime as an ISO-8601 duration (PT1H, PT30M). Default and most: PT24H"
            + " for a viewer, DANMAKU_JWT_STAFF_LIFETIME_MINUTES (PT1H) with a staff role.")
    Duration ttl;

    @Override
    public Integer call() {
        for (String role : roles) {
            if (!Identity.ALL_ROLES.contains(role)) {
                throw new ParameterException(spec.commandLine(), "unknown role '" + role + "'; roles are " + Identity.ALL_ROLES);
            }
        }
        for (String room : rooms) {
            if (!RoomIds.isValid(room)) {
                throw new ParameterException(spec.commandLine(), "room '" + room + "' is not a room id: " + RoomIds.RULE);
            }
        }
        SettingValues settings = SettingOptions.resolve(spec, SETTINGS);
        String secret = CommonConfig.checkJwtSecret(settings.string(CommonConfig.JWT_SECRET));
        Tokens tokens = new Tokens(secret, Duration.ofMinutes(settings.integer(CommonConfig.STAFF_TOKEN_MINUTES)));
        Duration longest = tokens.maxLifetime(roles);
        Duration lifetime = ttl == null ? longest : ttl;
        if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(longest) > 0) {
            throw new ParameterException(spec.commandLine(), "--ttl must be positive and at most " + longest
                    + " for roles " + roles);
        }
        spec.commandLine().getOut().println(tokens.issue(user, name == null ? user : name, roles, rooms, lifetime,
                Clock.systemUTC()));
        return 0;
    }
}
