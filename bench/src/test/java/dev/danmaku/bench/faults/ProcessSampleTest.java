package dev.danmaku.bench.faults;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcessSampleTest {

    @Test
    void readsTheHeapInUseFromGcHeapInfo() {
        String g1 = """
                9284:
                 garbage-first heap   total 397312K, used 25155K [0x0000000687400000, 0x0000000800000000)
                  region size 4096K, 1 young (4096K), 0 survivors (0K)
                 Metaspace       used 73K, committed 320K, reserved 1114112K
                """;
        String serial = """
                12:
                 def new generation   total 4928K, used 1567K [0x00000000e0000000, 0x00000000e0550000, 0x00000000eaaa0000)
                  eden space 4416K,  35% used [0x00000000e0000000, 0x00000000e0187e28, 0x00000000e0450000)
                 tenured generation   total 10944K, used 5000K [0x00000000eaaa0000, 0x00000000eb550000, 0x0000000100000000)
                """;

        assertThat(ProcessSample.usedKb(g1)).isEqualTo(25155);
        assertThat(ProcessSample.usedKb(serial)).as("both generations").isEqualTo(6567);
        assertThat(ProcessSample.usedKb("12:\nnot a JVM\n")).isEqualTo(-1);
    }
}
