package dev.danmaku.archiver.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CsvRowsTest {

    @Test
    void defusesWhatASpreadsheetWouldRunAsAFormula() {
        assertThat(CsvRows.cell("=1+1")).isEqualTo("'=1+1");
        assertThat(CsvRows.cell("+cmd")).isEqualTo("'+cmd");
        assertThat(CsvRows.cell("-2")).isEqualTo("'-2");
        assertThat(CsvRows.cell("@SUM(A1)")).isEqualTo("'@SUM(A1)");
        assertThat(CsvRows.cell("\tx")).isEqualTo("'\tx");
        assertThat(CsvRows.cell("\rx")).isEqualTo("\"'\rx\"");
        assertThat(CsvRows.cell("＝1")).isEqualTo("'＝1");
        assertThat(CsvRows.cell("a=b")).isEqualTo("a=b");
    }

    @Test
    void quotesSeparatorsQuotesAndLineBreaks() {
        assertThat(CsvRows.cell("a,b")).isEqualTo("\"a,b\"");
        assertThat(CsvRows.cell("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(CsvRows.cell("two\nlines")).isEqualTo("\"two\nlines\"");
        assertThat(CsvRows.cell(" padded ")).isEqualTo("\" padded \"");
        assertThat(CsvRows.cell("弹幕")).isEqualTo("弹幕");
        assertThat(CsvRows.cell("")).isEmpty();
    }
}
