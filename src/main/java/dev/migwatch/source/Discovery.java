package dev.migwatch.source;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * How a source whose {@code tasks} contain {@code *} finds its tasks: the provider's list API every {@code interval},
 * keeping the tasks every given filter accepts ({@code migwatch.sources.<name>.discover.*}). An empty filter accepts all.
 *
 * @param statuses normalized statuses (RUNNING, FINISHED, ...) or the provider's own words, compared on letters only
 * @param names    globs on the task's name (or its id when it has none); one must match
 * @param types    the provider's task types (OMS MIGRATION / SYNC, DTS MIGRATION / SYNC / SUBSCRIBE, UDTS full /
 *                 incremental / full+incremental), upper case
 * @param labels   OMS label names or ids, DTS tags as key=value (or a key alone); a task must carry all of them
 */
public record Discovery(Duration interval, Set<String> statuses, List<Glob> names, Set<String> types, Set<String> labels) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(5);

    public Discovery {
        statuses = Set.copyOf(statuses.stream().map(Discovery::letters).toList());
        names = List.copyOf(names);
        types = Set.copyOf(types);
        labels = Set.copyOf(labels);
    }

    /**
     * @param normalized the task's NormalizedStatus name
     * @param taskLabels what the list says the task carries (OMS label names and ids, DTS key=value tags)
     */
    public boolean accepts(String name, String rawStatus, String normalized, String type, Collection<String> taskLabels) {
        return (statuses.isEmpty() || statuses.contains(letters(normalized)) || statuses.contains(letters(rawStatus)))
                && (names.isEmpty() || names.stream().anyMatch(g -> g.matches(name)))
                && (types.isEmpty() || type != null && types.contains(type.toUpperCase(Locale.ROOT)))
                && (labels.isEmpty() || labels.stream().allMatch(l -> taskLabels.contains(l)
                        || !l.contains("=") && taskLabels.stream().anyMatch(t -> t.startsWith(l + "="))));
    }

    private static String letters(String word) {
        return word == null ? "" : word.replaceAll("[^A-Za-z]", "").toLowerCase(Locale.ROOT);
    }
}
