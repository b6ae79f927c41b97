package dev.danmaku.archiver.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import dev.danmaku.archiver.store.RoomQuery;

class ArchiveApiTest {

    @Test
    void cursorsRoundTrip() {
        RoomQuery.Position position = new RoomQuery.Position(1795321211000L, "0195f3c2-aaaa:bbbb");
        assertThat(ArchiveApi.decodeCursor(ArchiveApi.encodeCursor(position))).isEqualTo(position);
    }

    @Test
    void exportsTakeHalfTheDatabasePoolAtMostAndNeverMoreThanFour() {
        assertThat(ExportHandler.maxRunning(2)).isEqualTo(1);
        assertThat(ExportHandler.maxRunning(3)).isEqualTo(1);
        assertThat(ExportHandler.maxRunning(8)).as("the default pool").isEqualTo(4);
        assertThat(ExportHandler.maxRunning(50)).isEqualTo(4);
    }

    @Test
    void aForeignCursorIsABadRequest() {
        assertThatThrownBy(() -> ArchiveApi.decodeCursor("!!not-base64")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ArchiveApi.decodeCursor("bm9jb2xvbg")).isInstanceOf(IllegalArgumentException.class);
    }
}
