package dev.migwatch.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;

/** The two databases migwatch's SQL is written for, where their statements differ; OTHER for any other. */
enum DatabaseProduct {
    H2, POSTGRESQL, OTHER;

    /** The database of a connection, by its JDBC driver's product name. */
    static DatabaseProduct of(Connection c) throws SQLException {
        String name = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
        return name.contains("h2") ? H2 : name.contains("postgres") ? POSTGRESQL : OTHER;
    }
}
