package dev.danmaku.common.csv;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpreadsheetCellsTest {

    @ParameterizedTest
    @ValueSource(strings = {"=1+1", "+cmd", "-2", "@SUM(A1)", "\tx", "\rx", "＝1", "＋1", "－1", "＠x"})
    void defusesWhatASpreadsheetWouldRunAndRestoresIt(String formula) {
        assertThat(SpreadsheetCells.defuse(formula)).isEqualTo("'" + formula);
        assertThat(SpreadsheetCells.restore(SpreadsheetCells.defuse(formula))).isEqualTo(formula);
    }

    @ParameterizedTest
    @ValueSource(strings = {"'=x", "''=x", "'+1"})
    void aTextThatAlreadyLooksDefusedComesBackExactly(String text) {
        assertThat(SpreadsheetCells.restore(SpreadsheetCells.defuse(text))).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a=b", "弹幕", "", "'", "'quoted", "it's"})
    void leavesEverythingElseAlone(String text) {
        assertThat(SpreadsheetCells.defuse(text)).isEqualTo(text);
        assertThat(SpreadsheetCells.restore(text)).isEqualTo(text);
    }
}
