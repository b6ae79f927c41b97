package dev.danmaku.gateway.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.IntToLongFunction;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.danmaku.common.kafka.RecentRecords;
import dev.danmaku.common.kafka.RoomEvents;
import dev.danmaku.common.kafka.Topics;
import dev.danmaku.gateway.room.RoomHistory;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.RoomEvent;

/**
 * Reads rooms' past danmaku back from danmaku.filtered.v1 (read_committed) on a thread of its own.
 * Requests that queue up while it reads are served together, one read per partition, so a gateway's
 * viewers arriving here at once after it died cost a read or two, not one each. A read is answered
 * only once this gateway's live feed has handed the rooms everything up to where the read ended, so
 * nothing in the answer can reach the room again later. Bounded: at most
 * {@value #MOST_RECORDS_PER_PARTITION} records of a partition, {@link #TIME_LIMIT} a read plus
 * {@link #LIVE_FEED_WAIT} for the live feed, and {@value #MOST_WAITING} requests waiting.
 */
public final class RoomHistoryReader implements RoomHistory, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RoomHistoryReader.class);
    static final int MOST_RECORDS_PER_PARTITION = 50_000;
    static final Duration TIME_LIMIT = Duration.ofSeconds(2);
    static final Duration LIVE_FEED_WAIT = Duration.ofSeconds(1);
    private static final long FEED_CHECK_MILLIS = 5;
    static final int MOST_WAITING = 10_000;

    private record Request(String roomId, long sinceMillis, CompletableFuture<List<Danmaku>> answer) {
    }

    private final Consumer<String, byte[]> consumer;
    private final String topic;
    private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>(MOST_WAITING);
    private final Thread thread;
    private volatile boolean closed;
    private volatile IntToLongFunction liveFeed = partition -> -1;
    private int partitionCount;

    /** @param consumer a read_committed consumer without a group, for this alone */
    public RoomHistoryReader(Consumer<String, byte[]> consumer, String topic, String gatewayId) {
        this.consumer = consumer;
        this.topic = topic;
        this.thread = new Thread(this::run, "room-history-" + gatewayId);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public CompletableFuture<List<Danmaku>> since(String roomId, long sinceMillis) {
        CompletableFuture<List<Danmaku>> answer = new CompletableFuture<>();
        if (closed || !requests.offer(new Request(roomId, sinceMillis, answer))) {
            answer.completeExceptionally(new RejectedExecutionException("too many resumes waiting for history"));
        }
        return answer;
    }

    /** A round before it, and its own. */
    @Override
    public Duration longestAnswer() {
        return TIME_LIMIT.plus(LIVE_FEED_WAIT).multipliedBy(2);
    }

    /** Where the live feed is: for a partition, the offset up to which it has handed records to the rooms. */
    public void followLiveFeed(IntToLongFunction deliveredUpTo) {
        this.liveFeed = deliveredUpTo;
    }

    /** False once the reading thread has ended, which only closing should do. */
    public boolean running() {
        return thread.isAlive();
    }

    private void run() {
        while (!closed) {
            List<Request> round = new ArrayList<>();
            try {
                Request first = requests.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                round.add(first);
                requests.drainTo(round);
                // a join that stopped waiting has joined without it
                round.removeIf(request -> request.answer().isDone());
                if (!round.isEmpty()) {
                    serve(round);
                }
            } catch (InterruptedException e) {
                round.forEach(request -> request.answer().completeExceptionally(e));
                break;
            } catch (RuntimeException e) {
                if (!closed) {
                    log.warn("Could not read rooms' history back ({}): {} resumes go without it", e, round.size());
                }
                round.forEach(request -> request.answer().completeExceptionally(e));
            }
        }
        Thread.interrupted();
        consumer.close(Duration.ofSeconds(2));
    }

    private void serve(List<Request> round) throws InterruptedException {
        long started = System.nanoTime();
        if (partitionCount == 0) {
            partitionCount = consumer.partitionsFor(topic, TIME_LIMIT).size();
        }
        Map<String, Map<String, Danmaku>> byRoom = new HashMap<>();
        Map<TopicPartition, Long> since = new HashMap<>();
        for (Request request : round) {
            byRoom.put(request.roomId(), new LinkedHashMap<>());
            since.merge(partitionOf(request.roomId()), request.sinceMillis(), Math::min);
        }
        RecentRecords.Read read = RecentRecords.read(consumer, since, MOST_RECORDS_PER_PARTITION,
                started + TIME_LIMIT.toNanos(), record -> take(record, byRoom));
        long feedDeadline = System.nanoTime() + LIVE_FEED_WAIT.toNanos();
        for (Request request : round) {
            TopicPartition partition = partitionOf(request.roomId());
            long end = read.ends().getOrDefault(partition, 0L);
            if (read.unfinished().contains(partition)) {
                request.answer().completeExceptionally(new IllegalStateException("the time limit cut the read short"));
            } else if (!awaitLiveFeed(partition.partition(), end, feedDeadline)) {
                request.answer().completeExceptionally(new IllegalStateException(
                        "the live feed is still behind offset " + end + " of " + partition));
            } else {
                request.answer().complete(List.copyOf(byRoom.get(request.roomId()).values()));
            }
        }
        log.debug("Read the history of {} rooms from {} in {} ms", byRoom.size(), since.keySet(),
                (System.nanoTime() - started) / 1_000_000);
    }

    private TopicPartition partitionOf(String roomId) {
        return new TopicPartition(topic, Topics.partitionOf(roomId, partitionCount));
    }

    private boolean awaitLiveFeed(int partition, long end, long deadlineNanos) throws InterruptedException {
        while (liveFeed.applyAsLong(partition) < end) {
            if (System.nanoTime() >= deadlineNanos) {
                return false;
            }
            Thread.sleep(FEED_CHECK_MILLIS);
        }
        return true;
    }

    /** Keeps what the room showed: accepted and masked danmaku, once each, less those recalled since. */
    private static void take(ConsumerRecord<String, byte[]> record, Map<String, Map<String, Danmaku>> byRoom) {
        Map<String, Danmaku> room = record.key() == null ? null : byRoom.get(record.key());
        RoomEvent event = room == null ? null : RoomEvents.decode(record);
        if (event == null) {
            return;
        }
        if (event.hasRecall()) {
            room.remove(event.getRecall().getMsgId());
            return;
        }
        JudgedDanmaku judged = event.getDanmaku();
        if (event.hasDanmaku() && !judged.getRepeat()
                && switch (judged.getVerdict()) { case ACCEPTED, MASKED -> true; default -> false; }) {
            room.putIfAbsent(judged.getDanmaku().getMsgId(), judged.getDanmaku());
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(3).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        requests.forEach(request -> request.answer().completeExceptionally(new RejectedExecutionException("closing")));
    }
}
