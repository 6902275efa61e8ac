package dev.outdial.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdsTest {

    @Test
    void ids_have_the_documented_shape() {
        String id = Ids.next("cal");
        assertThat(id).hasSize(24).startsWith("cal_").matches("cal_[a-z2-7]{20}");
        assertThat(Ids.looksLike("cal", id)).isTrue();
        assertThat(Ids.looksLike("bat", id)).isFalse();
        assertThatThrownBy(() -> Ids.next("call")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ids_made_later_sort_after_earlier_ones_so_primary_keys_append() {
        // Every millisecond step across a digit boundary (…25 → …26 is where 'z' → '2' would break a naive alphabet).
        long base = 1_795_000_000_000L;
        String previous = Ids.next("cal", base);
        for (long t = base + 1; t < base + 5_000; t++) {
            String id = Ids.next("cal", t);
            assertThat(id.substring(0, 13)).as("time part at " + t).isGreaterThan(previous.substring(0, 13));
            previous = id;
        }
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 10_000; i++) {
            long a = Math.abs(random.nextLong()) % (1L << 45);
            long b = Math.abs(random.nextLong()) % (1L << 45);
            if (a == b) continue;
            assertThat(Ids.next("cal", a).substring(0, 13).compareTo(Ids.next("cal", b).substring(0, 13)) < 0).as(a + " vs " + b)
                    .isEqualTo(a < b);
        }
    }

    @Test
    void many_ids_in_the_same_millisecond_stay_distinct() {
        Set<String> seen = new HashSet<>();
        List<String> dupes = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            String id = Ids.next("cal");
            if (!seen.add(id)) dupes.add(id);
        }
        assertThat(dupes).isEmpty();
    }
}
