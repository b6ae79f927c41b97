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
        md.append("Written by `bench/run.sh compare`; each profile is one run with both systems on the same machine,\n")
                .append("alternating (its run time is under its heading): ").append(machine.path("cores").asInt()).append(" cores (")
                .append(machine.path("cpu").asText()).append("), ").append(machine.path("memory_gib").asText())
                .append(" GiB, Java ").append(machine.path("java").asText()).append(". Servers, brokers, databases and load\n")
                .append("generators all share those cores, so the **ratios** are the result; absolute figures move with the\n")
                .append("machine's noise (the `noise` column is every other process plus hypervisor steal, % of one core).\n")
                .append("Our platform runs as five processes (Kafka, two gateways, exactly-once filter, archiver on\n")
                .append("PostgreSQL); each of our profiles is measured after a JIT warm-up run of the same profile.\n")
                .append("Raw results: `bench/results/").append(jsonName).append("`. Latencies in ms; CPU in % of one core.\n\n");
        goals(md, profiles);
        for (String profile : List.of("p1", "p2")) {
            if (profiles.has(profile)) {
                sideBySide(md, profile, profiles.path(profile));
            }
        }
        if (profiles.has("p3")) {
            p3(md, profiles.path("p3"), chartName);
        }
        if (profiles.has("p4")) {
            p4(md, profiles.path("p4"));
        }
        for (String profile : List.of("p5", "p6")) {
            if (profiles.has(profile)) {
                lines(md, profile, profiles.path(profile));
            }
        }
        return md.toString();
    }

    /** The goals next to what this run measured. */
    private static void goals(StringBuilder md, JsonNode profiles) {
        md.append("## Against the goals\n\n| profile | goal | measured | met |\n|---|---|---|---|\n");
        JsonNode p1 = profiles.path("p1").path("danmaku");
        if (ok(p1)) {
            double p99 = p1.path("latency_ms").path("p99").asDouble();
            long loss = p1.path("deliveries").path("loss").asLong();
            boolean peerFailed = !profiles.path("p1").path("socketio_redis").path("pass_p99_lt_250ms_and_no_loss").asBoolean();
            md.append("| P1 | zero loss, p99 ≤ 50 ms, where the peer fails | loss ").append(loss).append(", p99 ")
                    .append(ms(p1.path("latency_ms").path("p99"))).append(" ms; peer ").append(peerFailed ? "fails" : "passes")
                    .append(" | ").append(loss == 0 && p99 <= 50 && peerFailed ? "yes" : "no").append(" |\n");
        }
        JsonNode p3 = profiles.path("p3");
        double ours = sustainedDeliveries(p3.path("danmaku"));
        double peer = sustainedDeliveries(p3.path("socketio_redis"));
        double oursTop = highestPassingDeliveries(p3.path("danmaku"));
        double peerTop = highestPassingDeliveries(p3.path("socketio_redis"));
        if (oursTop > 0) {
            md.append("| P3 | ≥ 1 M deliveries/s, p99 < 250 ms, zero loss; ≥ 30× the peer's best step | every step up to ")
                    .append(Report.number(ours)).append("/s passed (×").append(peer > 0 ? ratio(ours, peer) : "–")
                    .append(" the peer's); highest passing step ").append(Report.number(oursTop)).append("/s (×")
                    .append(peerTop > 0 ? ratio(oursTop, peerTop) : "–").append(" the peer's highest) | ")
                    .append(ours >= 1_000_000 && peer > 0 && ours / peer >= 30 ? "yes"
                            : oursTop >= 1_000_000 && peerTop > 0 && oursTop / peerTop >= 30 ? "at the highest step; not with every lower step" : "no")
                    .append(" |\n");
        }
        JsonNode p4 = profiles.path("p4").path("danmaku");
        if (p4.has("one_gateway")) {
            double perConnection = p4.path("one_gateway").path("rss_kb_per_connection").asDouble();
            md.append("| P4 | 100 k idle connections on one gateway at ≤ 16 KB RSS each | ")
                    .append(p4.path("one_gateway").path("connections").asText()).append(" on one gateway (the per-process file cap) at ")
                    .append(perConnection).append(" KB; ").append(p4.path("many_gateways").path("sessions").asText())
                    .append(" over ").append(p4.path("many_gateways").path("gateway_processes").asText())
                    .append(" gateway processes | memory yes; 100 k in one process not possible here |\n");
        }
        long filter = figure(profiles.path("p5").path("danmaku"), "steady");
        if (filter > 0) {
            md.append("| P5 | ≥ 100 k danmaku/s through the exactly-once filter | ").append(Report.number(filter))
                    .append("/s steady | ").append(filter >= 100_000 ? "yes" : "no").append(" |\n");
        }
        long ingest = figure(profiles.path("p6").path("danmaku"), "ingest");
        long export = figure(profiles.path("p6").path("danmaku"), "export, HTTP");
        if (ingest > 0) {
            md.append("| P6 | ingest ≥ 50 k rows/s, export ≥ 200 k rows/s | ingest ").append(Report.number(ingest))
                    .append("/s, export up to ").append(Report.number(export)).append("/s | ")
                    .append(ingest >= 50_000 ? "yes" : "ingest no").append(", ").append(export >= 200_000 ? "export yes" : "export no").append(" |\n");
        }
        md.append('\n');
    }

    private static double sustainedDeliveries(JsonNode result) {
        for (JsonNode step : result.path("steps")) {
            if (result.path("max_sustained_rate_per_sender").isNumber()
                    && step.path("params").path("rate_per_sender").asDouble() == result.path("max_sustained_rate_per_sender").asDouble()) {
                return step.path("deliveries").path("achieved_per_s").asDouble();
            }
        }
        return 0;
    }

    /** Deliveries/s of the highest step that passed, whatever lower steps did. */
    private static double highestPassingDeliveries(JsonNode result) {
        double best = 0;
        for (JsonNode step : result.path("steps")) {
            if (step.path("pass_p99_lt_250ms_and_no_loss").asBoolean()) {
                best = Math.max(best, step.path("deliveries").path("achieved_per_s").asDouble());
            }
        }
        return best;
    }

    /** The largest per-second figure whose label starts with the prefix. */
    private static long figure(JsonNode result, String prefix) {
        long best = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = result.path("per_second").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().startsWith(prefix)) {
                best = Math.max(best, field.getValue().asLong());
            }
        }
        return best;
    }

    private static void sideBySide(StringBuilder md, String profile, JsonNode entry) {
        JsonNode ours = entry.path("danmaku");
        JsonNode peer = entry.path("socketio_redis");
        JsonNode params = ours.path("params");
        md.append("## ").append(profile.toUpperCase()).append(" ").append(ours.path("profile").asText().replaceFirst("^P\\d-", ""))
                .append(": ").append(params.path("rooms").asInt()).append(" room(s) × (").append(params.path("viewers_per_room").asInt())
                .append(" viewers + ").append(params.path("senders_per_room").asInt()).append(" senders), ")
                .append(params.path("rate_per_sender").asText()).append(" danmaku/s each\n\n");
        runAt(md, entry);
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
            Map.Entry<String, JsonNode> process = it.next();
            if (!process.getKey().startsWith("loadgen")) {
                sum += Math.max(0, process.getValue().asDouble());
            }
        }
        return sum;
    }

    private static void p3(StringBuilder md, JsonNode entry, String chartName) {
        md.append("## P3 max: P1's shape, the rate per sender raised step by step\n\n");
        runAt(md, entry);
        md.append("A step passes with p99 < 250 ms and zero loss; the result is the highest step that passes with\n")
                .append("every lower step passing too. Each system is stepped over the rates where its knee lies.\n")
                .append("Above ≈ 400 k deliveries/s our latency varies from run to run (never the accounting):\n")
                .append("docs/performance.md compares the runs and shows where the time went.\n\n");
        md.append("| system | rate per sender | input /s | delivered in time /s | loss % | p50 | p99 | p99.9 | servers CPU | noise | pass |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        List<String> best = new ArrayList<>();
        double[] bestDeliveries = new double[2];
        int index = 0;
        for (String system : List.of("danmaku", "socketio_redis")) {
            String name = system.equals("danmaku") ? "danmaku" : "Socket.IO + Redis";
            JsonNode result = entry.path(system);
            double top = sustainedDeliveries(result);
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
            }
            bestDeliveries[index++] = top;
            best.add(name + ": " + (result.path("max_sustained_rate_per_sender").isNumber()
                    ? "rate " + result.path("max_sustained_rate_per_sender").asText() + " per sender = " + Report.number(top) + " deliveries/s"
                    : "no step passed"));
        }
        md.append("\nHighest step with every lower step passing too — ").append(String.join("; ", best)).append('.');
        if (bestDeliveries[0] > 0 && bestDeliveries[1] > 0) {
            md.append(" Ratio: ×").append(ratio(bestDeliveries[0], bestDeliveries[1])).append(" the peer's deliveries/s.");
        }
        md.append("\n\n![P3 latency vs input rate](docs/").append(chartName).append(")\n\n");
    }

    private static void p4(StringBuilder md, JsonNode entry) {
        JsonNode r = entry.path("danmaku");
        JsonNode one = r.path("one_gateway");
        JsonNode many = r.path("many_gateways");
        md.append("## P4 capacity: idle connections (ours only)\n\n")
                .append("One gateway process holds at most ~19 900 connections here (open files are capped at 20 000 per\n")
                .append("process), so memory per connection is measured at that size, and the total over several gateway\n")
                .append("and load-generator processes on this one machine.\n\n");
        runAt(md, entry);
        md.append("| what | figure |\n|---|---|\n")
                .append("| connections on one gateway | ").append(one.path("connections").asText()).append(" (ramp ").append(one.path("ramp_s").asText()).append(" s) |\n")
                .append("| RSS per connection | ").append(one.path("rss_kb_per_connection").asText()).append(" KB |\n")
                .append("| live heap per connection (after full GC) | ").append(one.path("heap_kb_per_connection").asText()).append(" KB |\n")
                .append("| connections held over ").append(many.path("gateway_processes").asText()).append(" gateway processes | ")
                .append(many.path("sessions").asText()).append(" of ").append(many.path("planned").asText())
                .append(" (gateways' RSS together ").append(many.path("gateways_rss_mb").asText()).append(" MB) |\n\n")
                .append("The peer was not run for P4 (its README has no capacity profile).\n\n");
    }

    private static void lines(StringBuilder md, String profile, JsonNode entry) {
        JsonNode r = entry.path("danmaku");
        md.append("## ").append(profile.toUpperCase()).append(profile.equals("p5") ? " filter throughput, exactly-once, 10 000 rules" : " archive ingest and export")
                .append(" (ours only; the peer has no moderation and no persistence)\n\n");
        runAt(md, entry);
        for (JsonNode line : r.path("lines")) {
            md.append("- ").append(line.asText()).append('\n');
        }
        if (!r.path("lines").elements().hasNext()) {
            md.append("- no result: ").append(r.path("error").asText("the benchmark printed no figures")).append('\n');
        }
        md.append('\n');
    }

    private static void runAt(StringBuilder md, JsonNode entry) {
        if (entry.has("run_at")) {
            md.append("Run at ").append(entry.path("run_at").asText()).append(".\n\n");
        }
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
