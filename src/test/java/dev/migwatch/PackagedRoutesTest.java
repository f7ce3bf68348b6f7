package dev.migwatch;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The jar's routes are named one by one (a wildcard costs a read through the whole jar at start): a route file added to
 * routes/ but not to that list would silently be missing from every start that has no routes/ folder of its own.
 */
class PackagedRoutesTest {
    @Test
    void theJarLoadsEveryRouteFileOfRoutesAndNoOther() throws IOException {
        List<String> inRoutes;
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            inRoutes = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".camel.yaml")).sorted().toList();
        }
        List<String> loaded = Arrays.stream(MigwatchApplication.PACKAGED_ROUTES.split(","))
                .map(uri -> uri.substring("classpath:migwatch/routes/".length())).sorted().toList();
        assertEquals(inRoutes, loaded);
        for (String uri : MigwatchApplication.PACKAGED_ROUTES.split(",")) {
            assertNotNull(getClass().getClassLoader().getResource(uri.substring("classpath:".length())), uri + " is on the classpath");
        }
    }
}
