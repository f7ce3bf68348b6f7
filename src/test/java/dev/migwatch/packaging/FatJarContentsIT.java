package dev.migwatch.packaging;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * target/migwatch.jar against the jars it is made of (target/migwatch-core.jar and the runtime
 * dependencies listed in target/runtime-classpath.txt): every provider line of every
 * META-INF/services/ file of every jar is in the merged jar, and every other file that two jars ship
 * under the same name is either merged or left out on purpose (pom.xml, maven-shade-plugin). A new
 * dependency that brings a new clash fails the build here until someone decides what to do with it.
 */
class FatJarContentsIT {
    /** Files whose copies are appended one after the other (the AppendingTransformers in pom.xml). */
    private static final Set<String> APPENDED = Set.of("META-INF/io.netty.versions.properties", "META-INF/LICENSE",
            "META-INF/LICENSE.txt", "META-INF/LICENSE.md", "META-INF/NOTICE", "META-INF/NOTICE.txt", "META-INF/NOTICE.md",
            "META-INF/DEPENDENCIES", "LICENSE.txt", "COPYRIGHT.txt");

    @Test
    void everyServiceFileOfEveryDependencyIsMergedAndNoOtherFileIsSilentlyLost() throws IOException {
        Path fat = AppProcess.migwatchJar();
        List<Path> parts = parts();
        Map<String, List<Path>> owners = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        try (ZipFile merged = new ZipFile(fat.toFile())) {
            for (Path part : parts) {
                try (ZipFile jar = new ZipFile(part.toFile())) {
                    for (Enumeration<? extends ZipEntry> e = jar.entries(); e.hasMoreElements(); ) {
                        ZipEntry entry = e.nextElement();
                        if (entry.isDirectory()) {
                            continue;
                        }
                        owners.computeIfAbsent(entry.getName(), k -> new ArrayList<>()).add(part);
                        if (entry.getName().startsWith("META-INF/services/")) {
                            checkServiceLines(merged, entry.getName(), read(jar, entry), part, problems);
                        }
                    }
                }
            }
            owners.forEach((name, jars) -> {
                if (jars.size() > 1) {
                    checkClash(merged, name, jars, problems);
                }
            });
            try (JarFile jar = new JarFile(fat.toFile())) {
                Manifest manifest = jar.getManifest();
                assertEquals("dev.migwatch.MigwatchApplication", manifest.getMainAttributes().getValue("Main-Class"));
                assertEquals("true", manifest.getMainAttributes().getValue("Multi-Release"));
            }
        }
        if (!problems.isEmpty()) {
            fail(problems.size() + " problem(s) in " + fat + ":\n" + String.join("\n", problems));
        }
        assertTrue(owners.containsKey("META-INF/services/java.sql.Driver"), "the check saw the JDBC drivers' service files");
    }

    @Test
    void thePostgresqlDriverAndFlywaysPostgresqlSupportAreRegistered() throws IOException {
        try (ZipFile merged = new ZipFile(AppProcess.migwatchJar().toFile())) {
            assertTrue(lines(read(merged, "META-INF/services/java.sql.Driver")).containsAll(Set.of("org.h2.Driver", "org.postgresql.Driver")));
            assertTrue(lines(read(merged, "META-INF/services/org.flywaydb.core.extensibility.Plugin"))
                    .contains("org.flywaydb.database.postgresql.PostgreSQLDatabaseType"));
        }
    }

    /** Each non-comment line of a dependency's service file is a line of the merged file. */
    private static void checkServiceLines(ZipFile merged, String name, String content, Path part, List<String> problems) throws IOException {
        String mergedContent = read(merged, name);
        if (mergedContent == null) {
            problems.add(name + " of " + part.getFileName() + " is missing");
            return;
        }
        Set<String> have = lines(mergedContent);
        for (String line : lines(content)) {
            if (!have.contains(line)) {
                problems.add(name + " lost '" + line + "' of " + part.getFileName());
            }
        }
    }

    /** A name that several jars ship: merged (services, appended, manifest) or deliberately left out. */
    private static void checkClash(ZipFile merged, String name, List<Path> jars, List<String> problems) {
        try {
            if (name.startsWith("META-INF/services/")) {
                return; // checked line by line
            }
            if (name.equals("META-INF/MANIFEST.MF")) {
                return; // migwatch's own, with Main-Class (checked above)
            }
            if (APPENDED.contains(name)) {
                String all = read(merged, name);
                for (Path jar : jars) {
                    try (ZipFile z = new ZipFile(jar.toFile())) {
                        if (all == null || !all.contains(read(z, name))) {
                            problems.add(name + " lacks the copy of " + jar.getFileName());
                        }
                    }
                }
                return;
            }
            if (name.startsWith("META-INF/maven/com.google.guava/") && jars.size() == 2
                    && jars.stream().anyMatch(j -> j.getFileName().toString().startsWith("curator-client-"))) {
                // curator-client's copy of a Guava jar's Maven metadata is left out (pom.xml): the jar's own survives
                Path own = jars.stream().filter(j -> !j.getFileName().toString().startsWith("curator-client-")).findFirst().orElseThrow();
                try (ZipFile z = new ZipFile(own.toFile())) {
                    if (!java.util.Objects.equals(read(merged, name), read(z, name))) {
                        problems.add(name + " is not the copy of " + own.getFileName());
                    }
                }
                return;
            }
            if (name.startsWith("META-INF/javamail.") && jars.size() == 2
                    && jars.stream().anyMatch(j -> j.getFileName().toString().startsWith("camel-mail-"))) {
                // camel-mail's copy of angus-mail's Jakarta Mail provider files is left out (pom.xml): angus-mail's own survives
                Path own = jars.stream().filter(j -> j.getFileName().toString().startsWith("angus-mail-")).findFirst().orElseThrow();
                try (ZipFile z = new ZipFile(own.toFile())) {
                    if (!java.util.Objects.equals(read(merged, name), read(z, name))) {
                        problems.add(name + " is not the copy of " + own.getFileName());
                    }
                }
                return;
            }
                        if (leftOut(name, jars)) {
                if (merged.getEntry(name) != null) {
                    problems.add(name + " should be left out of the jar (shipped by " + names(jars) + ") but is in it");
                }
                return;
            }
            problems.add(name + " is shipped by " + names(jars) + ": only one copy survives; merge it or exclude it"
                    + " deliberately (maven-shade-plugin in pom.xml), then record the decision in FatJarContentsIT");
        } catch (IOException e) {
            problems.add(name + ": " + e);
        }
    }

    /** Left out on purpose (see the shade filters in pom.xml). */
    private static boolean leftOut(String name, List<Path> jars) {
        if (name.equals("module-info.class") || name.matches("META-INF/versions/\\d+/module-info\\.class")
                || name.equals("META-INF/INDEX.LIST") || name.equals("META-INF/jandex.idx")) {
            return true;
        }
        // Camel's pom.xml and second copies of its build-tool descriptors at the jar root
        boolean rootFile = !name.contains("/");
        return rootFile && (name.equals("pom.xml") || name.endsWith(".properties"))
                && jars.stream().allMatch(j -> j.getFileName().toString().startsWith("camel-"));
    }

    private static List<Path> parts() throws IOException {
        List<Path> parts = new ArrayList<>();
        parts.add(AppProcess.requiredFile("migwatch.core.jar", "target/migwatch-core.jar"));
        Path classpath = AppProcess.requiredFile("migwatch.runtime.classpath", "target/runtime-classpath.txt");
        for (String p : Files.readString(classpath).trim().split(java.io.File.pathSeparator)) {
            if (!p.isBlank()) {
                parts.add(Path.of(p));
            }
        }
        assertTrue(parts.size() > 20, "the runtime classpath lists the dependencies: " + parts);
        return parts;
    }

    private static Set<String> lines(String content) {
        Set<String> lines = new LinkedHashSet<>();
        if (content == null) {
            return lines;
        }
        Arrays.stream(content.split("\\R")).map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(lines::add);
        return lines;
    }

    private static String read(ZipFile zip, String name) throws IOException {
        ZipEntry e = zip.getEntry(name);
        return e == null ? null : read(zip, e);
    }

    private static String read(ZipFile zip, ZipEntry e) throws IOException {
        try (InputStream in = zip.getInputStream(e)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String names(List<Path> jars) {
        return jars.stream().map(p -> p.getFileName().toString()).toList().toString();
    }
}
