package dev.migwatch;

import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tells bin/migwatch that the class-data archive this run writes when it stops is worth keeping: Camel started, so it
 * holds the classes of a whole start. A run that stopped before (a configuration error) marks nothing, and the next
 * start writes the archive again rather than map one that holds a third of them.
 */
final class ClassArchiveMark extends MainListenerSupport {
    /** The marker's path, set by bin/migwatch on a run that writes the archive. */
    static final String PROPERTY = "dev.migwatch.cds-started";
    private static final Logger LOG = LoggerFactory.getLogger(ClassArchiveMark.class);

    @Override
    public void afterStart(BaseMainSupport main) {
        String marker = System.getProperty(PROPERTY);
        if (marker == null) {
            return;
        }
        try {
            Files.writeString(Path.of(marker), "");
        } catch (IOException e) {
            LOG.debug("class-data archive not marked: {}", e.toString());
        }
    }
}
