package dev.danmaku.filter.admin;

import static dev.danmaku.filter.admin.Requests.body;
import static dev.danmaku.filter.admin.Requests.contentType;
import static dev.danmaku.filter.admin.Requests.handle;
import static dev.danmaku.filter.admin.Requests.jsonBody;
import static dev.danmaku.filter.admin.Requests.number;
import static dev.danmaku.filter.admin.Requests.param;
import static dev.danmaku.filter.admin.Requests.pathParam;

import java.io.IOException;
import java.util.AbstractMap.SimpleEntry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.undertow.Handlers;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.danmaku.common.auth.BearerAuth;
import dev.danmaku.common.auth.Identity;
import dev.danmaku.common.auth.Tokens;
import dev.danmaku.common.http.Json;
import dev.danmaku.common.http.Problem;
import dev.danmaku.filter.matching.Match;
import dev.danmaku.filter.matching.TextNormalizer.View;
import dev.danmaku.filter.moderation.Judgement;
import dev.danmaku.filter.moderation.Moderator;
import dev.danmaku.filter.rules.ControlKeys;
import dev.danmaku.filter.rules.AuditTrail;
import dev.danmaku.filter.rules.ControlLog;
import dev.danmaku.filter.rules.ControlWriter;
import dev.danmaku.filter.rules.ControlWriter.ControlWriteException;
import dev.danmaku.filter.rules.RuleSet;
import dev.danmaku.proto.v1.AuditEntry;
import dev.danmaku.proto.v1.ControlRecord;
import dev.danmaku.proto.v1.KeywordRule;
import dev.danmaku.proto.v1.Mute;
import dev.danmaku.proto.v1.Recall;
import dev.danmaku.proto.v1.RoomSettings;

/**
 * The moderator API under {@value #PREFIX} (moderator or admin role, JWT bearer): keyword rules with
 * bulk import/export, room settings, mutes, recall, the audit log and a dry run. Every change is a
 * record in danmaku.control.v1 plus an audit record; an answer means the change is in force on this
 * instance, and on every other instance within a second.
 */
public final class ModerationApi {

    public static final String PREFIX = "/api/v1/moderation";
    private static final Logger log = LoggerFactory.getLogger(ModerationApi.class);
    private static final int MAX_IMPORT_BYTES = 8 * 1024 * 1024;
    private static final int MAX_DRY_RUN_TEXT = 2000;
    private static final int MAX_AUDIT_LIMIT = 1000;
    private static final long MAX_MUTE_SECONDS = 10L * 365 * 24 * 3600;

    private final ControlLog controlLog;
    private final AuditTrail auditTrail;
    private final ControlWriter writer;
    private final Moderator moderator;
    private final RoomEvents roomEvents;

    public ModerationApi(ControlLog controlLog, AuditTrail auditTrail, ControlWriter writer, Moderator moderator,
            RoomEvents roomEvents) {
        this.controlLog = controlLog;
        this.auditTrail = auditTrail;
        this.writer = writer;
        this.moderator = moderator;
        this.roomEvents = roomEvents;
    }

    /** Mounted at {@link #PREFIX}; paths below are relative to it. */
    public HttpHandler handler(Tokens tokens) {
        HttpHandler routes = Handlers.routing()
                .get("/rules", handle(this::listRules))
                .post("/rules", handle(this::createRule))
                .get("/rules/export", handle(this::exportRules))
                .post("/rules/import", handle(this::importRules))
                .get("/rules/{id}", handle(this::getRule))
                .put("/rules/{id}", handle(this::updateRule))
                .delete("/rules/{id}", handle(this::deleteRule))
                .get("/rooms/{room}/settings", handle(this::getRoomSettings))
                .put("/rooms/{room}/settings", handle(this::putRoomSettings))
                .delete("/rooms/{room}/settings", handle(this::deleteRoomSettings))
                .get("/mutes", handle(this::listMutes))
                .post("/mutes", handle(this::createMute))
                .delete("/mutes/{user}", handle(this::deleteMute))
                .post("/recall", handle(this::recall))
                .get("/audit", handle(this::audit))
                .post("/dry-run", handle(this::dryRun))
                .setFallbackHandler(exchange -> Problem.send(exchange, StatusCodes.NOT_FOUND,
                        "no such moderation resource: " + exchange.getRequestPath()))
                .setInvalidMethodHandler(exchange -> Problem.send(exchange, StatusCodes.METHOD_NOT_ALLOWED,
                        exchange.getRequestMethod() + " is not allowed on " + exchange.getRequestPath()));
        return new BearerAuth(tokens, Set.of(Identity.MODERATOR, Identity.ADMIN), routes);
    }

    // ---- rules

    private void listRules(HttpServerExchange exchange) throws ApiException {
        RuleSet rules = controlLog.current();
        String room = param(exchange, "roomId");
        List<Map<String, Object>> items = sorted(rules).stream()
                .filter(rule -> room == null || rule.getRoomId().equals(room))
                .map(rule -> RuleJson.toJson(rule, controlLog.isStartupRule(rule.getId())))
                .toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", items);
        body.put("ruleSetVersion", rules.version());
        Json.send(exchange, StatusCodes.OK, body);
    }

    private void getRule(HttpServerExchange exchange) throws ApiException {
        KeywordRule rule = existingRule(exchange);
        Json.send(exchange, StatusCodes.OK, RuleJson.toJson(rule, controlLog.isStartupRule(rule.getId())));
    }

    private void createRule(HttpServerExchange exchange) throws ApiException, IOException {
        Identity who = exchange.getAttachment(BearerAuth.IDENTITY);
        long now = System.currentTimeMillis();
        KeywordRule rule = RuleJson.fromJson(jsonBody(exchange))
                .setId(UUID.randomUUID().toString())
                .setCreatedAtMs(now).setUpdatedAtMs(now).setUpdatedBy(who.userId())
                .build();
        Scope.room(who, rule.getRoomId(), "a rule");
        RuleLimits.check(controlLog.current().rules(), List.of(rule));
        write(who, "rule.create", rule.getId(), ControlKeys.rule(rule.getId()),
                ControlRecord.newBuilder().setRule(rule).build(), RuleJson.toJson(rule, false));
        exchange.getResponseHeaders().put(Headers.LOCATION, PREFIX + "/rules/" + rule.getId());
        Json.send(exchange, StatusCodes.CREATED, RuleJson.toJson(rule, false));
    }

    private void updateRule(HttpServerExchange exchange) throws ApiException, IOException {
        KeywordRule existing = writableRule(exchange);
        Identity who = exchange.getAttachment(BearerAuth.IDENTITY);
        KeywordRule rule = RuleJson.fromJson(jsonBody(exchange))
                .setId(existing.getId())
                .setCreatedAtMs(existing.getCreatedAtMs())
                .setUpdatedAtMs(System.currentTimeMillis()).setUpdatedBy(who.userId())
                .build();
        Scope.room(who, existing.getRoomId(), "a rule");
        Scope.room(who, rule.getRoomId(), "a rule");
        RuleLimits.check(controlLog.current().rules(), List.of(rule));
        write(who, "rule.update", rule.getId(), ControlKeys.rule(rule.getId()),
                ControlRecord.newBuilder().setRule(rule).build(), RuleJson.toJson(rule, false));
        Json.send(exchange, StatusCodes.OK, RuleJson.toJson(rule, false));
    }

    private void deleteRule(HttpServerExchange exchange) throws ApiException {
        KeywordRule existing = writableRule(exchange);
        Scope.room(exchange.getAttachment(BearerAuth.IDENTITY), existing.getRoomId(), "a rule");
        write(exchange.getAttachment(BearerAuth.IDENTITY), "rule.delete", existing.getId(),
                ControlKeys.rule(existing.getId()), null, RuleJson.toJson(existing, false));
        exchange.setStatusCode(StatusCodes.NO_CONTENT);
        exchange.endExchange();
    }

    private void importRules(HttpServerExchange exchange) throws ApiException, IOException {
        Scope.everyRoom(exchange.getAttachment(BearerAuth.IDENTITY), "a bulk import");
        String contentType = contentType(exchange);
        String body = body(exchange, MAX_IMPORT_BYTES);
        List<KeywordRule.Builder> parsed;
        if (contentType.equals("text/csv")) {
            parsed = BulkRules.parseCsv(body);
        } else if (contentType.equals("text/plain")) {
            String wholeWord = param(exchange, "wholeWord");
            if (wholeWord != null && !wholeWord.equals("true") && !wholeWord.equals("false")) {
                throw ApiException.badRequest("wholeWord: true or false");
            }
            parsed = BulkRules.parseLines(body, new RuleJson.Fields(param(exchange, "action"),
                    param(exchange, "kind"), param(exchange, "roomId"),
                    wholeWord == null ? null : Boolean.parseBoolean(wholeWord), param(exchange, "note"),
                    param(exchange, "category"), null));
        } else {
            throw new ApiException(StatusCodes.UNSUPPORTED_MEDIA_TYPE,
                    "send text/plain (one pattern per line) or text/csv (header: "
                            + String.join(",", BulkRules.CSV_COLUMNS) + "), not \"" + contentType + "\"");
        }
        Identity who = exchange.getAttachment(BearerAuth.IDENTITY);
        long now = System.currentTimeMillis();
        List<Map.Entry<String, ControlRecord>> records = new ArrayList<>(parsed.size() + 1);
        for (KeywordRule.Builder builder : parsed) {
            KeywordRule rule = builder.setId(UUID.randomUUID().toString()).setCreatedAtMs(now).setUpdatedAtMs(now)
                    .setUpdatedBy(who.userId()).build();
            records.add(new SimpleEntry<>(ControlKeys.rule(rule.getId()), ControlRecord.newBuilder().setRule(rule).build()));
        }
        RuleLimits.check(controlLog.current().rules(), records.stream().map(r -> r.getValue().getRule()).toList());
        store(records, audit(who, "rules.import", contentType, "{\"imported\":" + parsed.size() + "}"));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("imported", parsed.size());
        answer.put("ruleSetVersion", controlLog.current().version());
        Json.send(exchange, StatusCodes.OK, answer);
    }

    private void exportRules(HttpServerExchange exchange) throws ApiException {
        String format = param(exchange, "format");
        List<KeywordRule> rules = sorted(controlLog.current()).stream()
                .filter(rule -> !controlLog.isStartupRule(rule.getId())).toList();
        exchange.setStatusCode(StatusCodes.OK);
        if (format == null || format.equals("csv")) {
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/csv; charset=utf-8");
            exchange.getResponseSender().send(BulkRules.toCsv(rules));
        } else if (format.equals("text")) {
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
            exchange.getResponseSender().send(BulkRules.toLines(rules));
        } else {
            throw ApiException.badRequest("format: csv or text, got \"" + format + "\"");
        }
    }

    // ---- rooms

    private void getRoomSettings(HttpServerExchange exchange) throws ApiException {
        String room = RuleJson.roomId(pathParam(exchange, "room"));
        Json.send(exchange, StatusCodes.OK, roomJson(room, controlLog.current().room(room)));
    }

    private void putRoomSettings(HttpServerExchange exchange) throws ApiException, IOException {
        String room = RuleJson.roomId(pathParam(exchange, "room"));
        Scope.room(exchange.getAttachment(BearerAuth.IDENTITY), room, "room settings");
        JsonNode body = jsonBody(exchange);
        if (!body.isObject()) {
            throw ApiException.badRequest("the body must be a JSON object");
        }
        Set<String> known = Set.of("roomId", "slowModeSeconds", "ratePerSecond", "burst", "maxMessagesPerSecond",
                "maxTextLength", "updatedAtMs", "updatedBy");
        for (var names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw ApiException.badRequest("unknown field \"" + name + "\"; room settings have slowModeSeconds,"
                        + " ratePerSecond, burst, maxMessagesPerSecond, maxTextLength");
            }
        }
        Identity who = exchange.getAttachment(BearerAuth.IDENTITY);
        double rate = number(body, "ratePerSecond", 0, 1000);
        RoomSettings settings = RoomSettings.newBuilder()
                .setRoomId(room)
                .setSlowModeSeconds((int) number(body, "slowModeSeconds", 0, 3600))
                .setRatePerSecond(rate)
                .setBurst((int) number(body, "burst", 0, 1000))
                .setMaxMessagesPerSecond((int) number(body, "maxMessagesPerSecond", 0, 1_000_000))
                .setMaxTextLength((int) number(body, "maxTextLength", 0, 10_000))
                .setUpdatedAtMs(System.currentTimeMillis()).setUpdatedBy(who.userId())
                .build();
        write(who, "room.update", room, ControlKeys.room(room), ControlRecord.newBuilder().setRoomSettings(settings).build(),
                roomJson(room, settings));
        Json.send(exchange, StatusCodes.OK, roomJson(room, settings));
    }

    private void deleteRoomSettings(HttpServerExchange exchange) throws ApiException {
        String room = RuleJson.roomId(pathParam(exchange, "room"));
        Scope.room(exchange.getAttachment(BearerAuth.IDENTITY), room, "room settings");
        write(exchange.getAttachment(BearerAuth.IDENTITY), "room.reset", room, ControlKeys.room(room), null, Map.of());
        exchange.setStatusCode(StatusCodes.NO_CONTENT);
        exchange.endExchange();
    }

    private static Map<String, Object> roomJson(String room, RoomSettings settings) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("roomId", room);
        json.put("slowModeSeconds", settings.getSlowModeSeconds());
        json.put("ratePerSecond", settings.getRatePerSecond());
        json.put("burst", settings.getBurst());
        json.put("maxMessagesPerSecond", settings.getMaxMessagesPerSecond());
        json.put("maxTextLength", settings.getMaxTextLength());
        json.put("updatedAtMs", settings.getUpdatedAtMs());
        json.put("updatedBy", settings.getUpdatedBy());
        return json;
    }

    // ---- mutes

    private void listMutes(HttpServerExchange exchange) throws ApiException {
        String room = param(exchange, "roomId");
        long now = System.currentTimeMillis();
        List<Map<String, Object>> items = controlLog.current().mutes().values().stream()
                .filter(mute -> mute.getUntilMs() > now)
                .filter(mute -> room == null || mute.getRoomId().equals(room))
                .sorted(Comparator.comparing(Mute::getUntilMs))
                .map(ModerationApi::muteJson).toList();
        Json.send(exchange, StatusCodes.OK, Map.of("items", items));
    }

    private void createMute(HttpServerExchange exchange) throws ApiException, IOException {
        JsonNode body = jsonBody(exchange);
        String user = RuleJson.text(body, "userId");
        if (user == null || user.isBlank() || user.length() > 128) {
            throw ApiException.badRequest("userId: a non-empty string of at most 128 characters is required");
        }
        String room = RuleJson.text(body, "roomId");
        if (room != null && !room.isEmpty()) {
            RuleJson.roomId(room);
        } else {
            room = "";
        }
        long now = System.currentTimeMillis();
        long until;
        if (body.hasNonNull("untilMs")) {
            until = (long) number(body, "untilMs", now + 1, now + MAX_MUTE_SECONDS * 1000);
        } else if (body.hasNonNull("durationSeconds")) {
            until = now + 1000 * (long) number(body, "durationSeconds", 1, MAX_MUTE_SECONDS);
        } else {
            throw ApiException.badRequest("durationSeconds or untilMs is required");
        }
        String reason = RuleJson.text(body, "reason");
        Identity who = exchange.getAttachment(BearerAuth.IDENTITY);
        Scope.room(who, room, "a mute");
        Mute mute = Mute.newBuilder().setRoomId(room).setUserId(user).setUntilMs(until)
                .setReason(reason == null ? "" : reason).setMutedBy(who.userId()).build();
        write(who, "mute.create", user, ControlKeys.mute(room, user), ControlRecord.newBuilder().setMute(mute).build(),
                muteJson(mute));
        Json.send(exchange, StatusCodes.CREATED, muteJson(mute));
    }

    private void deleteMute(HttpServerExchange exchange) throws ApiException {
        String user = pathParam(exchange, "user");
        String room = param(exchange, "roomId");
        Scope.room(exchange.getAttachment(BearerAuth.IDENTITY), room == null ? "" : room, "a mute");
        String key = ControlKeys.mute(room == null ? "" : room, user);
        if (!controlLog.current().mutes().containsKey(key)) {
            throw ApiException.notFound("no mute of user " + user + (room == null ? " in every room" : " in room " + room));
        }
        write(exchange.getAttachment(BearerAuth.IDENTITY), "mute.delete", user, key, null, Map.of("roomId",
                room == null ? "" : room));
        exchange.setStatusCode(StatusCodes.NO_CONTENT);
        exchange.endExchange();
    }

    private static Map<String, Object> muteJson(Mute mute) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("userId", mute.getUserId());
        json.put("roomId", mute.getRoomId().isEmpty() ? null : mute.getRoomId());
        json.put("untilMs", mute.getUntilMs());
        json.put("reason", mute.getReason());
        json.put("mutedBy", mute.getMutedBy());
        return json;
    }

    // ---- recall, audit, dry run

    private void recall(HttpServerExchange exchange) throws ApiException, IOException {
        JsonNode body = jsonBody(exchange);
        String room = RuleJson.text(body, "roomId");
        String msgId = RuleJson.text(body, "msgId");
        if (room == null) {
            throw ApiException.badRequest("roomId is required");
        }
        RuleJson.roomId(room);
        if (msgId == null || msgId.isBlank() || msgId.length() > 128) {
            throw ApiException.badRequest("msgId: the id of the danmaku to recall is required");
        }
        Identity who = exchange.getAttachment(BearerAuth.IDENTITY);
        Scope.room(who, room, "a recall");
        try {
            roomEvents.recall(Recall.newBuilder().setRoomId(room).setMsgId(msgId).setModeratorId(who.userId()).build());
        } catch (ExecutionException | TimeoutException e) {
            log.warn("Recall of {} in {} failed: {}", msgId, room, e.getMessage());
            throw new ApiException(StatusCodes.SERVICE_UNAVAILABLE, "the recall could not be published; try again");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(StatusCodes.SERVICE_UNAVAILABLE, "interrupted");
        }
        store(List.of(), audit(who, "recall", msgId, json(Map.of("roomId", room, "msgId", msgId))));
        Json.send(exchange, StatusCodes.ACCEPTED, Map.of("roomId", room, "msgId", msgId, "recalled", true));
    }

    private void audit(HttpServerExchange exchange) throws ApiException {
        String raw = param(exchange, "limit");
        int limit = 100;
        if (raw != null) {
            try {
                limit = Integer.parseInt(raw);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_AUDIT_LIMIT) {
                throw ApiException.badRequest("limit: 1-" + MAX_AUDIT_LIMIT + ", got \"" + raw + "\"");
            }
        }
        List<Map<String, Object>> items = auditTrail.newest(limit).stream().map(entry -> {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("id", entry.getId());
            json.put("atMs", entry.getAtMs());
            json.put("actorId", entry.getActorId());
            json.put("actorName", entry.getActorName());
            json.put("action", entry.getAction());
            json.put("target", entry.getTarget());
            json.put("detail", entry.getDetail());
            return json;
        }).toList();
        Json.send(exchange, StatusCodes.OK, Map.of("items", items));
    }

    private void dryRun(HttpServerExchange exchange) throws ApiException, IOException {
        JsonNode body = jsonBody(exchange);
        String text = RuleJson.text(body, "text");
        if (text == null || text.isEmpty()) {
            throw ApiException.badRequest("text: the text to judge is required");
        }
        if (text.length() > MAX_DRY_RUN_TEXT) {
            throw ApiException.badRequest("text: at most " + MAX_DRY_RUN_TEXT + " characters");
        }
        String room = RuleJson.text(body, "roomId");
        if (room != null && !room.isEmpty()) {
            RuleJson.roomId(room);
        }
        Judgement judgement = moderator.explain(text, room == null ? "" : room);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("text", text);
        answer.put("normalized", judgement.views().standard().text());
        Map<String, String> views = new LinkedHashMap<>();
        for (View view : View.values()) {
            views.put(view.name().toLowerCase(Locale.ROOT), judgement.views().view(view).text());
        }
        answer.put("views", views);
        answer.put("matches", matchesJson(judgement.findings().matches()));
        answer.put("exemptions", matchesJson(judgement.findings().exemptions()));
        answer.put("shielded", matchesJson(judgement.findings().shielded()));
        answer.put("verdict", judgement.verdict().name());
        answer.put("reason", judgement.reason() == dev.danmaku.proto.v1.Reason.REASON_UNSPECIFIED ? null
                : judgement.reason().name());
        answer.put("category", RuleJson.categoryName(judgement.category()));
        answer.put("shownText", judgement.shownText());
        answer.put("ruleSetVersion", judgement.ruleSetVersion());
        answer.put("note", "keyword rules only: mutes and send limits depend on the sender and are not applied");
        Json.send(exchange, StatusCodes.OK, answer);
    }

    private static List<Map<String, Object>> matchesJson(List<Match> matches) {
        List<Map<String, Object>> items = new ArrayList<>();
        for (Match match : matches) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("ruleId", match.rule().getId());
            json.put("pattern", match.rule().getPattern());
            json.put("action", match.rule().getAction().name());
            json.put("category", RuleJson.category(match.rule()));
            json.put("view", match.view().name().toLowerCase(Locale.ROOT));
            json.put("matched", match.matched());
            json.put("originalStart", match.originalStart());
            json.put("originalEnd", match.originalEnd());
            items.add(json);
        }
        return items;
    }

    // ---- helpers

    private void write(Identity who, String action, String target, String key, ControlRecord value, Object detail)
            throws ApiException {
        store(List.of(new SimpleEntry<>(key, value)), audit(who, action, target, json(detail)));
    }

    private void store(List<Map.Entry<String, ControlRecord>> records, AuditEntry audit) throws ApiException {
        try {
            writer.write(records, audit);
        } catch (ControlWriteException e) {
            log.warn("A moderation change failed: {}", e.getMessage());
            throw new ApiException(StatusCodes.SERVICE_UNAVAILABLE, e.getMessage());
        }
    }

    private static AuditEntry audit(Identity who, String action, String target, String detail) {
        String id = System.currentTimeMillis() + "-" + UUID.randomUUID().toString().substring(0, 8);
        return AuditEntry.newBuilder().setId(id).setAtMs(System.currentTimeMillis())
                .setActorId(who.userId()).setActorName(who.name()).setAction(action).setTarget(target)
                .setDetail(detail).build();
    }

    private static String json(Object value) {
        try {
            return Json.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            return String.valueOf(value);
        }
    }

    private KeywordRule existingRule(HttpServerExchange exchange) throws ApiException {
        String id = pathParam(exchange, "id");
        KeywordRule rule = controlLog.current().rules().get(id);
        if (rule == null) {
            throw ApiException.notFound("no rule with id " + id);
        }
        return rule;
    }

    private KeywordRule writableRule(HttpServerExchange exchange) throws ApiException {
        KeywordRule rule = existingRule(exchange);
        if (controlLog.isStartupRule(rule.getId())) {
            throw new ApiException(StatusCodes.CONFLICT, "rule " + rule.getId()
                    + " comes from DANMAKU_FILTER_BLOCKED_WORDS; change that setting instead");
        }
        return rule;
    }

    private static List<KeywordRule> sorted(RuleSet rules) {
        return rules.ruleList().stream()
                .sorted(Comparator.comparingLong(KeywordRule::getCreatedAtMs).thenComparing(KeywordRule::getId))
                .toList();
    }
}
