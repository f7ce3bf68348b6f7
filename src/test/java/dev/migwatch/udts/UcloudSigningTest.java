package dev.migwatch.udts;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class UcloudSigningTest {

    @Test
    void matchesTheOfficialSignatureVector() {
        Map<String, Object> params = Map.of(
                "Action", "DescribeUHostInstance",
                "Region", "cn-bj2",
                "Limit", 10,
                "PublicKey", "ucloudsomeone@example.com1296235120854146120");
        assertEquals("cba5cf5ec4d4233d206b1b54951e3787350a642f",
                UcloudSigning.signature(params, "46f09bb9fab4f12dfc160dae12273d5332b5debe"));
    }

    @Test
    void formatsValuesAsTheSdkDoes() {
        assertEquals("10", UcloudSigning.format(10.0));
        assertEquals("0.5", UcloudSigning.format(0.5));
        assertEquals("10000000000", UcloudSigning.format(1e10));
        assertEquals("true", UcloudSigning.format(true));
    }

    @Test
    void flattensListsAsIndexedNames() {
        String flat = UcloudSigning.signature(Map.of("Ids", List.of("a", "b")), "k");
        assertEquals(UcloudSigning.signature(Map.of("Ids.0", "a", "Ids.1", "b"), "k"), flat);
    }
}
