package dev.migwatch.bench;

import org.h2.engine.Database;
import org.h2.engine.SessionLocal;
import org.h2.index.Index;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.Page;
import org.h2.mvstore.db.MVIndex;
import org.h2.mvstore.db.MVTable;
import org.h2.table.Table;

import javax.sql.DataSource;
import java.sql.Connection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which tables and indexes H2's copy-on-write store writes its pages for (HistoryGrowthBenchmarkTest with
 * -Dbench.h2-writes=true). H2 counts only the bytes it wrote in all (info.FILE_WRITE_BYTES). A stored page never changes:
 * a changed one is written anew at another position, and a parent whose position did not change has no changed page
 * below it. So a thread looks at every map's tree every 50 ms (ten times per 0.5 s WRITE_DELAY), goes down only where
 * positions are new, and adds up the pages stored since it last looked. A page's size is its length class from its
 * position (DataUtils.getPageMaxLength: up to 1.5 times the page), so the figures are an upper bound, close to
 * FILE_WRITE_BYTES in practice (pages plus chunk headers).
 */
final class H2PageWrites implements AutoCloseable {
    private final Thread thread;
    private volatile boolean stop;
    private final Map<String, long[]> written = new HashMap<>(); // table.index -> bytes, pages
    private final Map<String, Set<Long>> seen = new HashMap<>();

    private H2PageWrites(DataSource db) {
        thread = new Thread(() -> watch(db), "h2-page-writes");
        thread.setDaemon(true);
        thread.start();
    }

    static H2PageWrites start(DataSource db) {
        return new H2PageWrites(db);
    }

    private void watch(DataSource db) {
        try (Connection c = db.getConnection()) {
            Database d = ((SessionLocal) c.unwrap(JdbcConnection.class).getSession()).getDatabase();
            MVStore mv = d.getStore().getMvStore();
            while (!stop) {
                Thread.sleep(50);
                Map<String, String> names = new HashMap<>();
                for (Table t : d.getSchema("PUBLIC").getAllTablesAndViews(null)) {
                    if (t instanceof MVTable) {
                        for (Index i : t.getIndexes()) {
                            if (i instanceof MVIndex<?, ?> m) {
                                names.putIfAbsent(m.getMVMap().getName(), t.getName().toLowerCase() + "." + i.getName().toLowerCase());
                            }
                        }
                    }
                }
                synchronized (this) {
                    for (String map : mv.getMapNames()) {
                        String id = mv.getMetaMap().get("name." + map);
                        MVMap<?, ?> m = id == null ? null : mv.getMap(Integer.parseInt(id, 16));
                        if (m != null) {
                            String name = names.getOrDefault(map, map);
                            newPages(m.getRootPage(), seen.computeIfAbsent(name, k -> new HashSet<>()),
                                    written.computeIfAbsent(name, k -> new long[2]));
                        }
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            System.out.println("H2 page writes not counted: " + e);
        }
    }

    private static void newPages(Page<?, ?> p, Set<Long> seen, long[] sum) {
        if (!p.isLeaf()) {
            for (int i = 0; i < p.getRawChildPageCount(); i++) {
                long child = p.getChildPagePos(i);
                if (child == 0 || !seen.contains(child)) {
                    newPages(p.getChildPage(i), seen, sum);
                }
            }
        }
        long pos = p.getPos();
        if (pos != 0 && seen.add(pos)) { // 0: changed in memory, not stored yet
            sum[0] += DataUtils.getPageMaxLength(pos);
            sum[1]++;
        }
    }

    /** The maps H2 wrote most to, per task-poll. */
    synchronized String report(long taskPolls) {
        StringBuilder b = new StringBuilder();
        long total = written.values().stream().mapToLong(w -> w[0]).sum();
        b.append(String.format("pages H2 wrote: %.0f bytes per task-poll in all (by length class, an upper bound)", total / (double) taskPolls));
        written.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue()[0], x.getValue()[0])).limit(20).forEach(e ->
                b.append(String.format("%n  %-50s %7.0f B/task-poll, %5.2f pages/task-poll, %6.0f B/page", e.getKey(),
                        e.getValue()[0] / (double) taskPolls, e.getValue()[1] / (double) taskPolls,
                        e.getValue()[0] / (double) Math.max(1, e.getValue()[1]))));
        return b.toString();
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.join(5_000);
    }
}
