package dev.migwatch.storage;

import dev.migwatch.history.RawBody;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Reads raw_body back into the answers as the provider sent them (the read side of RawBodyCodec). */
public final class RawBodies {
    private RawBodies() {
    }

    /** One poll's stored answers. */
    public record Answer(Instant receivedAt, RawBody body) {
    }

    /** The answers stored for a task at or before a time, newest record first, at most limit records. */
    public static List<Answer> read(Connection c, String source, String taskId, Instant from, Instant to, int limit)
            throws SQLException {
        List<Answer> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT r.task_ref, r.received_at FROM raw_body r JOIN task t ON t.id = r.task_ref "
                + "WHERE t.source = ? AND t.task_id = ? AND r.received_at >= ? AND r.received_at <= ? "
                + "GROUP BY r.task_ref, r.received_at ORDER BY r.received_at DESC")) {
            new SqlRow(ps).str(source).str(taskId).time(from == null ? Instant.EPOCH : from)
                    .time(to == null ? Instant.parse("9999-01-01T00:00:00Z") : to);
            ps.setMaxRows(limit);
            List<Object[]> keys = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    keys.add(new Object[]{rs.getInt(1), SqlRow.read(rs, 2, SqlRow.Col.Kind.TIME)});
                }
            }
            for (Object[] k : keys) {
                for (RawBody b : read(c, (Integer) k[0], (Instant) k[1])) {
                    out.add(new Answer((Instant) k[1], b));
                }
            }
        }
        return out;
    }

    static List<RawBody> read(Connection c, int taskRef, Instant at) throws SQLException {
        List<RawBody> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT api, encoding, base_at, body, content_type FROM raw_body "
                + "WHERE task_ref = ? AND received_at = ? ORDER BY api")) {
            new SqlRow(ps).integer(taskRef).time(at);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String encoding = rs.getString(2);
                    Instant base = (Instant) SqlRow.read(rs, 3, SqlRow.Col.Kind.TIME);
                    byte[] body = rs.getBytes(4);
                    switch (encoding) {
                        case "text" -> out.add(new RawBody(rs.getString(1), null, rs.getString(5), new String(body, StandardCharsets.UTF_8)));
                        case "deflate" -> out.addAll(RawBodyCodec.decode(body, null));
                        case "delta" -> out.addAll(RawBodyCodec.decode(body, keyframe(c, taskRef, base)));
                        default -> throw new SQLException("raw_body of task " + taskRef + " at " + at + " has an unknown encoding " + encoding);
                    }
                }
            }
        }
        return out;
    }

    private static RawBodyCodec.Keyframe keyframe(Connection c, int taskRef, Instant at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT body FROM raw_body WHERE task_ref = ? AND received_at = ? "
                + "AND encoding = 'deflate'")) {
            new SqlRow(ps).integer(taskRef).time(at);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("the keyframe of task " + taskRef + " at " + at + " is missing");
                }
                return RawBodyCodec.keyframe(at, RawBodyCodec.decode(rs.getBytes(1), null), 0);
            }
        }
    }
}
