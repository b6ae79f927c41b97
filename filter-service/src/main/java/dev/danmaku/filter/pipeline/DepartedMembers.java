package dev.danmaku.filter.pipeline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fences the transactions that members which left the filter group left open. Each member writes
 * under a transactional id made of the group and its member id; a member killed, paused past its
 * session or cut off is removed from the group, and whoever is assigned its partitions fences its id.
 * That aborts its open transaction at once, so neither the readers of danmaku.filtered.v1
 * ({@code read_committed}) nor the new owner's offset fetch wait for the transaction timeout. Whether
 * the departed member is dead or a zombie that wakes later, the group coordinator already refuses its
 * offsets (its member id is gone), so fencing is for speed; exactly-once does not depend on it.
 */
public final class DepartedMembers {

    private static final Logger log = LoggerFactory.getLogger(DepartedMembers.class);

    /** What the fencing asks of Kafka; the admin client in production. */
    interface Cluster {
        /** The transactional ids with an ongoing transaction. */
        Set<String> ongoingTransactionalIds() throws Exception;

        /** The member ids of the group now; empty when the group does not exist. */
        Set<String> memberIds(String groupId) throws Exception;

        void fence(Collection<String> transactionalIds) throws Exception;
    }

    private final Cluster cluster;
    private final String groupId;
    /** What every transactional id of this group's writers starts with. */
    private final String prefix;

    DepartedMembers(Cluster cluster, String groupId) {
        this.cluster = cluster;
        this.groupId = groupId;
        this.prefix = transactionalId(groupId, "");
    }

    /** The transactional id a member of the group writes under. */
    static String transactionalId(String groupId, String memberId) {
        return groupId + "." + memberId;
    }

    /**
     * Fences every ongoing transaction of a member that is no longer in the group, except {@code own};
     * returns the ids fenced. Transactions are listed before members, so a member that joins in between
     * is seen as a member.
     */
    List<String> fence(String own) throws Exception {
        List<String> ongoing = cluster.ongoingTransactionalIds().stream()
                .filter(id -> id.startsWith(prefix) && !id.equals(own)).sorted().toList();
        if (ongoing.isEmpty()) {
            return List.of();
        }
        Set<String> members = cluster.memberIds(groupId);
        List<String> departed = new ArrayList<>();
        for (String id : ongoing) {
            if (!members.contains(id.substring(prefix.length()))) {
                departed.add(id);
            }
        }
        if (!departed.isEmpty()) {
            cluster.fence(departed);
            log.info("Fenced the open transactions of {} member(s) that left the group: {}", departed.size(), departed);
        }
        return departed;
    }

    /** True when the id is one of this group's writers and its member has left the group. */
    boolean departed(String transactionalId) throws Exception {
        return transactionalId.startsWith(prefix)
                && !cluster.memberIds(groupId).contains(transactionalId.substring(prefix.length()));
    }

    /** {@link Cluster} through the admin client; each call waits at most {@code timeout}. */
    static Cluster through(Admin admin, Duration timeout) {
        long waitMs = timeout.toMillis();
        return new Cluster() {
            @Override
            public Set<String> ongoingTransactionalIds() throws Exception {
                return admin.listTransactions(new ListTransactionsOptions().filterStates(List.of(TransactionState.ONGOING)))
                        .all().get(waitMs, TimeUnit.MILLISECONDS).stream().map(TransactionListing::transactionalId)
                        .collect(Collectors.toSet());
            }

            @Override
            public Set<String> memberIds(String group) throws Exception {
                try {
                    return admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)
                            .get(waitMs, TimeUnit.MILLISECONDS).members().stream().map(MemberDescription::consumerId)
                            .collect(Collectors.toSet());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof GroupIdNotFoundException) {
                        return Set.of();
                    }
                    throw e;
                }
            }

            @Override
            public void fence(Collection<String> transactionalIds) throws Exception {
                admin.fenceProducers(transactionalIds).all().get(waitMs, TimeUnit.MILLISECONDS);
            }
        };
    }
}
