package dev.danmaku.bench;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/** BENCHMARKS.md from one compare run: both systems' figures side by side and their ratios. */
final class Markdown {

    private static final List<String> PEER_SERVERS = List.of("server-3001", "server-3002", "redis");

    private Markdown() {
    }

    static String of(JsonNode all, String jsonName, String chartName) {
        JsonNode machine = all.path("machine");
        JsonNode profiles = all.path("profiles");
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks: danmaku vs Socket.IO + Redis\n\n");
        md.append("Written by `bench/run.sh compare` on ").append(all.path("date").asText()).append(" — one run, both systems on the\n")
                .append("same machine, alternating: ").append(machine.path("cores").asInt()).append(" cores (")
                .append(machine.path("cpu").asText()).append("), ").append(machine.path("memory_gib").asText())
                .append(" GiB, Java ").append(machine.path("java").asText()).append(". Servers, brokers, databases and load\n")
                .append("generators all share those cores, so the **ratios** are the result; absolute figures move with the\n")
                .append("machine's noise (the `noise` column is every other process plus hypervisor steal, % of one core).\n")
                .append("Our platform runs as five processes (Kafka, two gateways, exactly-once filter, archiver on\n")
                .append("PostgreSQL); each of our profiles is measured after a JIT warm-up run of the same profile.\n")
                .append("Raw results: `bench/results/").append(jsonName).append("`. Latencies in ms; CPU in % of one core.\n\n");
        for (String profile : List.of("p1", "p2")) {
            if (profiles.has(profile)) {
                sideBySide(md, profile, profiles.path(profile));
            }
        }
        if (profiles.has("p3")) {
            p3(md, profiles.path("p3"), chartName);
        }
        if (profiles.has("p4")) {
            p4(md, profiles.path("p4").path("danmaku"));
        }
        for (String profile : List.of("p5", "p6")) {
            if (profiles.has(profile)) {
                lines(md, profile, profiles.path(profile).path("danmaku"));
            }
        }
        return md.toString();
    }

    private static void sideBySide(StringBuilder md, String profile, JsonNode entry) {
        JsonNode ours = entry.path("danmaku");
        JsonNode peer = entry.path("socketio_redis");
        JsonNode params = ours.path("params");
        md.append("## ").append(profile.toUpperCase()).append(" ").append(ours.path("profile").asText().replaceFirst("^P\\d-", ""))
                .append(": ").append(params.path("rooms").asInt()).append(" room(s) × (").append(params.path("viewers_per_room").asInt())
                .append(" viewers + ").append(params.path("senders_per_room").asInt()).append(" senders), ")
                .append(params.path("rate_per_sender").asText()).append(" danmaku/s each\n\n");
        md.append("| system | input /s | deliveries expected /s | delivered in time /s | loss % | p50 | p99 | p99.9 | max | servers CPU | load generator CPU | noise | servers peak RSS MB | pass |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        row(md, "danmaku", ours);
        row(md, "Socket.IO + Redis", peer);
        if (ok(ours) && ok(peer)) {
            md.append("\nRatios (danmaku ÷ peer): delivered in time ×")
                    .append(ratio(ours.path("deliveries").path("achieved_per_s").asDouble(), peer.path("deliveries").path("achieved_per_s").asDouble()))
                    .append("; p99 latency ×").append(ratio(ours.path("latency_ms").path("p99").asDouble(), peer.path("latency_ms").path("p99").asDouble()))
                    .append(" (below 1 = faster).\n");
        }
        md.append('\n');
    }

    private static void row(StringBuilder md, String name, JsonNode r) {
        if (!ok(r)) {
            md.append("| ").append(name).append(" | failed: ").append(r.path("error").asText("no result")).append(" |||||||||||||\n");
            return;
        }
        JsonNode d = r.path("deliveries");
        JsonNode l = r.path("latency_ms");
        JsonNode cpu = r.path("cpu_window_pct_of_one_core");
        md.append("| ").append(name)
                .append(" | ").append(Report.number(r.path("input").path("achieved_msgs_per_s").asDouble()))
                .append(" | ").append(Report.number(d.path("expected_per_s").asDouble()))
                .append(" | ").append(Report.number(d.path("achieved_per_s").asDouble()))
                .append(" | ").append(d.path("loss_pct").asText())
                .append(" | ").append(ms(l.path("p50"))).append(" | ").append(ms(l.path("p99")))
                .append(" | ").append(ms(l.path("p999"))).append(" | ").append(ms(l.path("max")))
                .append(" | ").append(Report.number(serversCpu(cpu)))
                .append(" | ").append(cpu.path("loadgen_total").asText())
                .append(" | ").append(Report.number(cpu.path("other_processes").asDouble() + cpu.path("steal").asDouble()))
                .append(" | ").append(Report.number(serversRss(r)))
                .append(" | ").append(r.path("pass_p99_lt_250ms_and_no_loss").asBoolean() ? "yes" : "no").append(" |\n");
    }

    /** CPU of the monitored server-side processes (ours: Kafka, gateways, filter, archiver; peer: two servers and Redis). */
    private static double serversCpu(JsonNode cpu) {
        double sum = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = cpu.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String key = field.getKey();
            if (key.startsWith("gateway-") || List.of("kafka", "filter", "archiver").contains(key) || PEER_SERVERS.contains(key)) {
                sum += Math.max(0, field.getValue().asDouble());
            }
        }
        return sum;
    }

    private static double serversRss(JsonNode r) {
        double sum = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = r.path("monitored_peak_rss_mb_at_window_end").fields(); it.hasNext(); ) {
            sum += Math.max(0, it.next().getValue().asDouble());
        }
        return sum;
    }

    private static void p3(StringBuilder md, JsonNode entry, String chartName) {
        md.append("## P3 max: P1's shape, the rate per sender raised step by step\n\n");
        md.append("A step passes with p99 < 250 ms and zero loss; the result is the highest step that passes with\n")
                .append("every lower step passing too. Each system is stepped over the rates where its knee lies.\n\n");
        md.append("| system | rate per sender | input /s | delivered in time /s | loss % | p50 | p99 | p99.9 | servers CPU | noise | pass |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        List<String> best = new ArrayList<>();
        double[] bestDeliveries = new double[2];
        int index = 0;
        for (String system : List.of("danmaku", "socketio_redis")) {
            String name = system.equals("danmaku") ? "danmaku" : "Socket.IO + Redis";
            JsonNode result = entry.path(system);
            double top = 0;
            for (JsonNode step : result.path("steps")) {
                if (!ok(step)) {
                    md.append("| ").append(name).append(" | ").append(step.path("profile").asText()).append(" | failed: ")
                            .append(step.path("error").asText()).append(" ||||||||\n");
                    continue;
                }
                JsonNode d = step.path("deliveries");
                JsonNode l = step.path("latency_ms");
                JsonNode cpu = step.path("cpu_window_pct_of_one_core");
                md.append("| ").append(name).append(" | ").append(step.path("params").path("rate_per_sender").asText())
                        .append(" | ").append(Report.number(step.path("input").path("achieved_msgs_per_s").asDouble()))
                        .append(" | ").append(Report.number(d.path("achieved_per_s").asDouble()))
                        .append(" | ").append(d.path("loss_pct").asText())
                        .append(" | ").append(ms(l.path("p50"))).append(" | ").append(ms(l.path("p99")))
                        .append(" | ").append(ms(l.path("p999")))
                        .append(" | ").append(Report.number(serversCpu(cpu)))
                        .append(" | ").append(Report.number(cpu.path("other_processes").asDouble() + cpu.path("steal").asDouble()))
                        .append(" | ").append(step.path("pass_p99_lt_250ms_and_no_loss").asBoolean() ? "yes" : "no").append(" |\n");
                if (result.path("max_sustained_rate_per_sender").isNumber()
                        && step.path("params").path("rate_per_sender").asDouble() == result.path("max_sustained_rate_per_sender").asDouble()) {
                    top = d.path("achieved_per_s").asDouble();
                }
            }
            bestDeliveries[index++] = top;
            best.add(name + ": " + (result.path("max_sustained_rate_per_sender").isNumber()
                    ? "rate " + result.path("max_sustained_rate_per_sender").asText() + " per sender = " + Report.number(top) + " deliveries/s"
                    : "no step passed"));
        }
        md.append("\nHighest passing step — ").append(String.join("; ", best)).append('.');
        if (bestDeliveries[0] > 0 && bestDeliveries[1] > 0) {
            md.append(" Ratio: ×").append(ratio(bestDeliveries[0], bestDeliveries[1])).append(" the peer's deliveries/s.");
        }
        md.append("\n\n![P3 latency vs input rate](docs/").append(chartName).append(")\n\n");
    }

    private static void p4(StringBuilder md, JsonNode r) {
        JsonNode one = r.path("one_gateway");
        JsonNode many = r.path("many_gateways");
        md.append("## P4 capacity: idle connections (ours only)\n\n")
                .append("One gateway process holds at most ~19 900 connections here (open files are capped at 20 000 per\n")
                .append("process), so memory per connection is measured at that size, and the total over several gateway\n")
                .append("and load-generator processes on this one machine.\n\n")
                .append("| what | figure |\n|---|---|\n")
                .append("| connections on one gateway | ").append(one.path("connections").asText()).append(" (ramp ").append(one.path("ramp_s").asText()).append(" s) |\n")
                .append("| RSS per connection | ").append(one.path("rss_kb_per_connection").asText()).append(" KB |\n")
                .append("| live heap per connection (after full GC) | ").append(one.path("heap_kb_per_connection").asText()).append(" KB |\n")
                .append("| connections held over ").append(many.path("gateway_processes").asText()).append(" gateway processes | ")
                .append(many.path("sessions").asText()).append(" of ").append(many.path("planned").asText())
                .append(" (gateways' RSS together ").append(many.path("gateways_rss_mb").asText()).append(" MB) |\n\n")
                .append("The peer was not run for P4 (its README has no capacity profile).\n\n");
    }

    private static void lines(StringBuilder md, String profile, JsonNode r) {
        md.append("## ").append(profile.toUpperCase()).append(profile.equals("p5") ? " filter throughput, exactly-once, 10 000 rules" : " archive ingest and export")
                .append(" (ours only; the peer has no moderation and no persistence)\n\n");
        for (JsonNode line : r.path("lines")) {
            md.append("- ").append(line.asText()).append('\n');
        }
        if (!r.path("lines").elements().hasNext()) {
            md.append("- no result: ").append(r.path("error").asText("the benchmark printed no figures")).append('\n');
        }
        md.append('\n');
    }

    private static String ms(JsonNode value) {
        return value.isNumber() ? Report.number(value.asDouble()) : "-";
    }

    private static boolean ok(JsonNode r) {
        return r != null && r.path("ok").asBoolean();
    }

    private static String ratio(double a, double b) {
        return b == 0 ? "∞" : String.format(java.util.Locale.ROOT, a / b >= 10 ? "%.0f" : "%.2f", a / b);
    }
}
