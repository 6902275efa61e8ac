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
    void ids_made_later_sort_after_earlier_ones_so_primary_keys_append() throws InterruptedException {
        String first = Ids.next("cal");
        Thread.sleep(2); // the time part has millisecond resolution
        String second = Ids.next("cal");
        assertThat(second).isGreaterThan(first);
        assertThat(second.substring(0, 13)).isGreaterThan(first.substring(0, 13));
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
