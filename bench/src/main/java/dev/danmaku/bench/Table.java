package dev.danmaku.bench;

import com.fasterxml.jackson.databind.JsonNode;

/** The human summary of one result line, printed on stderr like the peer's table. */
final class Table {

    private Table() {
    }

    static String of(JsonNode o) {
        JsonNode p = o.path("params");
        JsonNode c = o.path("connections");
        StringBuilder out = new StringBuilder();
        out.append(String.format("%n== danmaku %s: %d room(s) x (%d viewers + %d senders), %s msg/s per sender, %d gateways, %s ==%n",
                o.path("profile").asText(), p.path("rooms").asInt(), p.path("viewers_per_room").asInt(),
                p.path("senders_per_room").asInt(), p.path("rate_per_sender").asText(), p.path("servers").size(),
                p.path("viewer_client").asText()));
        out.append(String.format("connections       %d/%d up (ramp %s s), disconnects during run %d %s, per gateway %s%n",
                c.path("established").asLong(), c.path("planned").asLong(), c.path("ramp_s").asText(),
                c.path("disconnects_during_run").asLong(), c.path("disconnect_reasons"), c.path("per_server")));
        if (!o.has("deliveries")) {
            return out.toString();
        }
        JsonNode d = o.path("deliveries");
        JsonNode cpu = o.path("cpu_window_pct_of_one_core");
        out.append(String.format("counted window    %s s (after %s s warmup, last %s s excluded, %s s drain)%n",
                o.path("window_s").asText(), p.path("warmup_s").asText(), p.path("tail_exclude_s").asText(), p.path("drain_s").asText()));
        out.append(String.format("input msgs/s      target %s   achieved %s   (sender at most %s ms late)%n",
                o.path("input").path("target_msgs_per_s").asText(), o.path("input").path("achieved_msgs_per_s").asText(),
                o.path("input").path("sender_max_late_ms").asText("?")));
        out.append(String.format("deliveries/s      expected %s   achieved %s   received during window %s%n",
                d.path("expected_per_s").asText(), d.path("achieved_per_s").asText(), d.path("received_in_window_per_s").asText()));
        out.append(String.format("deliveries        expected %d   received %d   loss %d (%s%%)   out-of-order/dup %d   wrong-room %d   refused %s   errors %s%n",
                d.path("expected").asLong(), d.path("received").asLong(), d.path("loss").asLong(), d.path("loss_pct").asText(),
                d.path("out_of_order_or_dup").asLong(), d.path("wrong_room").asLong(), o.path("refused"), o.path("errors")));
        out.append("latency ms        ").append(latency(o.path("latency_ms"))).append('\n');
        out.append("  same gateway    ").append(latency(o.path("latency_same_server_ms"))).append('\n');
        out.append("  cross gateway   ").append(latency(o.path("latency_cross_server_ms"))).append('\n');
        if (o.has("ack_latency_ms")) {
            out.append("ack latency ms    ").append(latency(o.path("ack_latency_ms"))).append('\n');
        }
        out.append("CPU % of 1 core   ").append(cpu).append('\n');
        out.append("peak RSS MB       ").append(o.path("monitored_peak_rss_mb_at_window_end")).append('\n');
        if (o.path("loadgen_saturated_hint").asBoolean()) {
            out.append("WARNING: the load generator was near saturation: latency figures include its queueing\n");
        }
        out.append("pass (p99<250ms, loss=0): ").append(o.path("pass_p99_lt_250ms_and_no_loss").asBoolean()).append('\n');
        return out.toString();
    }

    private static String latency(JsonNode l) {
        return String.format("p50 %s  p90 %s  p99 %s  p99.9 %s  max %s  (n=%d)", l.path("p50").asText(), l.path("p90").asText(),
                l.path("p99").asText(), l.path("p999").asText(), l.path("max").asText(), l.path("count").asLong());
    }
}
