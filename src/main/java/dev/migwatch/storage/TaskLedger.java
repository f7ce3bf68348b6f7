package dev.migwatch.storage;

import dev.migwatch.history.GoneReason;
import dev.migwatch.history.ListedTasks;
import org.apache.camel.ExchangeProperty;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Discovery in the task table (V5): when the account's list first showed a task, and whether it is gone. Only rows of
 * tasks already polled exist; a task listed for the first time gets its row with its first poll, and its
 * {@code discovered_at} at the next listing. One query reads a source's rows, the changes are a few batched updates.
 */
public class TaskLedger {
    private final DataSource dataSource;

    public TaskLedger(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The source's discovered tasks the database still counts as watched: they may predate this run. */
    public Set<String> known(@ExchangeProperty("migwatchSource") String source) throws SQLException {
        Set<String> ids = new LinkedHashSet<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT task_id FROM task WHERE source = ? AND discovered_at IS NOT NULL "
                     + "AND gone_at IS NULL AND task_id <> '*'")) {
            new SqlRow(ps).str(source);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        return ids;
    }

    /** Marks the tasks a listing dropped as gone, those it shows again as back, and those it shows first as discovered. */
    public void reconcile(ListedTasks listing) throws SQLException {
        List<String> discovered = new ArrayList<>();
        List<String> back = new ArrayList<>();
        List<String> gone = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT task_id, discovered_at, gone_at FROM task WHERE source = ? "
                    + "AND task_id <> '*'")) {
                new SqlRow(ps).str(listing.source());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String id = rs.getString(1);
                        boolean listed = listing.listed().contains(id);
                        boolean isGone = rs.getObject(3) != null;
                        if (listed && rs.getObject(2) == null) {
                            discovered.add(id);
                        }
                        if (listed && isGone) {
                            back.add(id);
                        } else if (!isGone && listing.gone().containsKey(id)) {
                            gone.add(id);
                        }
                    }
                }
            }
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                java.time.Instant at = SqlRow.micros(listing.listedAt());
                update(c, "UPDATE task SET discovered_at = ? WHERE source = ? AND task_id = ?", listing.source(), discovered, at, null);
                update(c, "UPDATE task SET gone_at = NULL, gone_reason = NULL WHERE source = ? AND task_id = ?", listing.source(), back,
                        null, null);
                update(c, "UPDATE task SET gone_at = ?, gone_reason = ? WHERE source = ? AND task_id = ?", listing.source(), gone, at,
                        listing.gone());
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        }
    }

    /** One batched update: the time (when given) and reason (when given) first, then source and task id. */
    private static void update(Connection c, String sql, String source, List<String> ids, java.time.Instant at,
                               Map<String, GoneReason> reasons) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (String id : ids) {
                SqlRow row = new SqlRow(ps);
                if (at != null) {
                    row.time(at);
                }
                if (reasons != null) {
                    row.str(reasons.get(id).name());
                }
                row.str(source).str(id);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
