package dev.openplus.jsonapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The derived-id codec alone (the fast tier): encode and decode are inverses, ids sort like (owner, number), and
 * an owner's own id is never an item's. engine/DerivedIdTest covers the same ids on the wire and in SQL.
 */
@Tag("fast")
class DerivedIdCodecTest {
    private static final Field<String> OWNER = DSL.field(DSL.name("owner_id"), SQLDataType.CHAR(24));
    private static final Field<Integer> NUMBER = DSL.field(DSL.name("number"), SQLDataType.INTEGER);
    private static final DerivedId IDS = DerivedId.ownerAndNumber(OWNER, NUMBER, 3);
    private static final String OWNER_A = "5a0c1e0f00000000000a1000";
    private static final String OWNER_B = "5a0c1e0f00000000000b2000";

    @Test
    void encodeAndDecodeAreInverses() {
        assertThat(IDS.encode(List.of(OWNER_A, 1))).isEqualTo("5a0c1e0f00000000000a1001");
        assertThat(IDS.encode(List.of(OWNER_A, 0xabc))).isEqualTo("5a0c1e0f00000000000a1abc");
        for (int number : new int[] {1, 15, 16, 255, 256, DerivedId.maxNumber(3)}) {
            String id = IDS.encode(List.of(OWNER_B, number));
            assertThat(id).hasSize(24).matches("[0-9a-f]{24}");
            assertThat(IDS.format().accepts(id)).isTrue();
            assertThat(IDS.decode(id)).containsExactly(OWNER_B, number);
        }
    }

    @Test
    void idsSortLikeTheirColumns() {
        List<String> ids = new ArrayList<>();
        for (String owner : List.of(OWNER_A, OWNER_B)) {
            for (int number : new int[] {1, 9, 10, 255, 4095}) {
                ids.add(IDS.encode(List.of(owner, number)));
            }
        }
        assertThat(ids).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void whatIsNotSuchAnIdIsRefusedBeforeDecoding() {
        assertThat(IDS.decode(OWNER_A)).as("an owner's own id").isNull();
        assertThat(IDS.decode("5A0C1E0F00000000000A1001")).as("upper case").isNull();
        assertThat(IDS.decode("5a0c1e0f00000000000a101")).as("23 characters").isNull();
        assertThat(IDS.format().accepts("5a0c1e0f00000000000a1001")).isTrue();
        assertThatThrownBy(() -> IDS.encode(List.of(OWNER_A, 0))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> IDS.encode(List.of(OWNER_A, 4096))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> IDS.encode(List.of("5a0c1e0f00000000000a1001", 1)))
                .as("an owner id must end in as many zeros as the number has digits")
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> DerivedId.ownerAndNumber(OWNER, NUMBER, 8)).isInstanceOf(IllegalArgumentException.class);
    }
}
