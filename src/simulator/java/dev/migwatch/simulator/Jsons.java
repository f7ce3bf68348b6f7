package dev.migwatch.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Small helpers to build answers; the simulator owns its mapper so it never depends on migwatch's readers. */
final class Jsons {
    static final ObjectMapper MAPPER = JsonMapper.builder().build();
    /** OMS times: UTC without zone, as in the seeds ("2020-05-22T17:04:18"). */
    static final DateTimeFormatter OMS_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);
    /** DTS times: UTC with Z ("2024-09-20T02:13:12Z"). */
    static final DateTimeFormatter DTS_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private Jsons() {
    }

    static ObjectNode obj() {
        return MAPPER.createObjectNode();
    }

    static ArrayNode arr() {
        return MAPPER.createArrayNode();
    }

    static String oms(Instant t) {
        return t == null ? null : OMS_TIME.format(t);
    }

    static String dts(Instant t) {
        return t == null ? null : DTS_TIME.format(t);
    }
}
