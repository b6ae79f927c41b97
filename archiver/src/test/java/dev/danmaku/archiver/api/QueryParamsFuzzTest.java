package dev.danmaku.archiver.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import dev.danmaku.archiver.store.RoomQuery;

/**
 * Fuzzing of the analyst API's query parameters: any values either make a query within its bounds
 * or are refused with an {@link IllegalArgumentException} that names the parameter (answered 400).
 */
class QueryParamsFuzzTest {

    private static final List<String> NAMES = List.of("room", "from", "to", "user", "text", "verdict", "limit", "cursor",
            "bucket", "speed", "top");

    @Provide
    Arbitrary<Map<String, Deque<String>>> parameters() {
        Arbitrary<String> value = Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(80),
                Arbitraries.strings().withChars("0123456789-+:.TZeE,ACEPTDMSKHORJ_ ").ofMaxLength(40),
                Arbitraries.of("", "0", "-1", "9223372036854775807", "9223372036854775808", "2026-11-30T23:00:00Z",
                        "ACCEPTED,MASKED", "NaN", "Infinity", "1e309", "room-1"));
        return Arbitraries.maps(Arbitraries.of(NAMES), value.list().ofMinSize(1).ofMaxSize(2)
                .map(ArrayDeque::new)).ofMaxSize(NAMES.size()).map(map -> {
                    Map<String, Deque<String>> copy = new HashMap<>(map);
                    return copy;
                });
    }

    // RANDOMIZED: under AUTO, jqwik first counts whether the maps could be listed exhaustively, and for
    // these maps that count alone takes minutes at 20 000 tries and longer the more tries are asked for
    @Property(generation = GenerationMode.RANDOMIZED)
    void anyParametersMakeABoundedQueryOrAreRefusedByName(@ForAll("parameters") Map<String, Deque<String>> parameters) {
        QueryParams params = new QueryParams(parameters);
        try {
            RoomQuery query = params.roomQuery(100, 1000);
            assertThat(query.limit()).isBetween(1, 1000);
            assertThat(query.filter().fromMs()).isLessThan(query.filter().toMs());
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).matches("(?s)(" + String.join("|", NAMES) + "|from must).*");
        }
    }
}
