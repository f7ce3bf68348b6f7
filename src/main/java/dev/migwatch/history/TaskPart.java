package dev.migwatch.history;

/**
 * A part of a task's answer that a cycle may not have reported at all. A list answer recorded for an idle task
 * (OMS ListProjects has no components, DTS DescribeDtsJobs no steps) says nothing about it: what is stored for that
 * part stays as it was, rather than being marked absent.
 */
public enum TaskPart {
    STEPS, COMPONENTS
}
