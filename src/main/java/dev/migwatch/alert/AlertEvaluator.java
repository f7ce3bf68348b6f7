package dev.migwatch.alert;

import dev.migwatch.trends.TaskView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import java.util.function.Supplier;

/**
 * The rules against the history ({@code alertEvaluator}), called by the migwatch-alerts-evaluate route: reads every task
 * as GET /api/tasks does (SQL, through TrendsService) and the open alerts, moves each alert along PENDING → FIRING →
 * RESOLVED, writes the changes in one transaction, and hands back the notifications to send, one per channel.
 *
 * <p>The state is the database's, not this bean's: a restart, or another node taking the evaluation over, goes on from
 * the stored alerts, so a firing alert is not notified again and one that resolved meanwhile is. The notifications a
 * node queued but had not delivered when it stopped are sent by the first evaluation after the next start.
 */
public class AlertEvaluator {
    private static final Logger LOG = LoggerFactory.getLogger(AlertEvaluator.class);

    private final AlertsConfig config;
    private final AlertStore store;
    private final Supplier<List<TaskView>> tasks;
    private final BiPredicate<String, String> watched;
    private final Duration stallAfter;
    private final Clock clock;
    private volatile Map<String, Integer> firing = Map.of();
    /** The newest notification handed to a channel by this node; -1 until its first evaluation, which sends any left queued. */
    private long dispatchedUpTo = -1;
    private boolean failing;

    /**
     * @param tasks      every task in the history (TrendsService.tasks: SQL)
     * @param watched    whether the configuration takes the task in (SourceConfig.covers); a discovered task the list
     *                   dropped is left out by its goneAt
     * @param stallAfter migwatch.trends.stall-after, for the stalled condition's "since"
     */
    public AlertEvaluator(AlertsConfig config, AlertStore store, Supplier<List<TaskView>> tasks, BiPredicate<String, String> watched,
                          Duration stallAfter, Clock clock) {
        this.config = config;
        this.store = store;
        this.tasks = tasks;
        this.watched = watched;
        this.stallAfter = stallAfter;
        this.clock = clock;
    }

    /** One evaluation of every rule; the notifications to send (none while the database cannot answer). */
    public synchronized List<Notification> evaluate() {
        Instant now = clock.instant();
        List<Transition> transitions;
        List<Notification> out;
        try {
            Map<String, Instant> failingSince = store.failingSince();
            List<TaskView> all = new ArrayList<>(tasks.get());
            all.sort(Comparator.comparing(TaskView::source).thenComparing(TaskView::taskId));
            Map<String, OpenAlert> open = store.open();
            transitions = transitions(all, failingSince, open, now);
            store.apply(transitions, now);
            out = new ArrayList<>();
            for (Notification n : store.queued(dispatchedUpTo, config::taskUrl)) {
                dispatchedUpTo = Math.max(dispatchedUpTo, n.id());
                if (config.channels().containsKey(n.channel())) {
                    out.add(n);
                } else {
                    store.failed(n.id(), 0, now, "channel " + n.channel() + " is no longer configured");
                }
            }
            firing = store.firingByRule();
        } catch (RuntimeException e) {
            if (!failing) {
                failing = true;
                LOG.warn("Cannot evaluate the alert rules against the history ({}); they are evaluated again when it answers",
                        e.getMessage());
            }
            return List.of();
        }
        if (failing) {
            failing = false;
            LOG.info("Alert rules are evaluated again");
        }
        for (Transition t : transitions) {
            if (t.notice() != null || t.state() == AlertState.RESOLVED || t.alertId() == null) {
                LOG.info("Alert {} {} {}/{}: {}", t.rule(), t.notice() == NotificationKind.REPEAT ? "still FIRING" : t.state(),
                        t.source(), t.taskId(), t.reading().message());
            }
        }
        return out;
    }

    /**
     * This node left a notification QUEUED to another node that led the alerts (AlertDelivery.handedOver): should this
     * node lead again, its next evaluation sends every notification still QUEUED, as a first one after a start does.
     */
    public synchronized void resendQueued() {
        dispatchedUpTo = -1;
    }

    /** What this evaluation does, rule by rule (in name order) and task by task (source, task id). */
    List<Transition> transitions(List<TaskView> all, Map<String, Instant> failingSince, Map<String, OpenAlert> open, Instant now) {
        Map<String, OpenAlert> left = new LinkedHashMap<>(open);
        List<Transition> out = new ArrayList<>();
        for (AlertRule rule : config.rules()) {
            for (TaskView t : all) {
                if (t.goneAt() != null || !watched.test(t.source(), t.taskId()) || !rule.covers(t.source(), t.taskId(), t.taskName())) {
                    continue;
                }
                TaskFacts facts = TaskFacts.of(t, failingSince.get(t.source() + '\u0000' + t.taskId()));
                Reading r = rule.condition().read(rule.threshold(), facts, now, stallAfter);
                Transition next = decide(rule, t.source(), t.taskId(), r, left.remove(OpenAlert.key(rule.name(), t.source(), t.taskId())), now);
                if (next != null) {
                    out.add(next);
                }
            }
        }
        // open alerts nothing above looked at: their task is no longer watched or covered, or their rule is gone
        for (OpenAlert a : left.values()) {
            AlertRule rule = config.rules().stream().filter(r -> r.name().equals(a.rule())).findFirst().orElse(null);
            String why = rule == null ? "rule " + a.rule() + " is no longer configured" : "the task is no longer watched by the rule";
            out.add(new Transition(a.id(), a.rule(), rule == null ? null : rule.condition(), a.source(), a.taskId(), AlertState.RESOLVED,
                    a.since(), false, rule != null && a.state() == AlertState.FIRING ? NotificationKind.RESOLVED : null,
                    rule == null ? List.of() : rule.channels(), new Reading(false, a.value(), null, null, why)));
        }
        return out;
    }

    /** The lifecycle of one rule's alert on one task: null when nothing is to be written. */
    static Transition decide(AlertRule rule, String source, String taskId, Reading r, OpenAlert open, Instant now) {
        if (!r.holds()) {
            if (open == null) {
                return null;
            }
            // a PENDING alert that clears never fired: it ends without a notification
            return new Transition(open.id(), rule.name(), rule.condition(), source, taskId, AlertState.RESOLVED, open.since(), false,
                    open.state() == AlertState.FIRING ? NotificationKind.RESOLVED : null, rule.channels(), r);
        }
        if (open == null) {
            Instant since = r.since() != null && r.since().isBefore(now) ? r.since() : now;
            boolean fire = !now.isBefore(since.plus(rule.pendingFor()));
            return new Transition(null, rule.name(), rule.condition(), source, taskId, fire ? AlertState.FIRING : AlertState.PENDING,
                    since, fire, fire ? NotificationKind.FIRING : null, rule.channels(), r);
        }
        if (open.state() == AlertState.PENDING) {
            boolean fire = !now.isBefore(open.since().plus(rule.pendingFor()));
            if (fire || changed(open, r)) {
                return new Transition(open.id(), rule.name(), rule.condition(), source, taskId, fire ? AlertState.FIRING : AlertState.PENDING,
                        open.since(), fire, fire ? NotificationKind.FIRING : null, rule.channels(), r);
            }
            return null;
        }
        boolean repeat = rule.repeat() != null && open.notifiedAt() != null && !now.isBefore(open.notifiedAt().plus(rule.repeat()));
        if (repeat || changed(open, r)) {
            return new Transition(open.id(), rule.name(), rule.condition(), source, taskId, AlertState.FIRING, open.since(), false,
                    repeat ? NotificationKind.REPEAT : null, rule.channels(), r);
        }
        return null;
    }

    private static boolean changed(OpenAlert open, Reading r) {
        return !java.util.Objects.equals(open.value(), r.value()) || !java.util.Objects.equals(open.message(), r.message());
    }

    /** Reads how many alerts of each rule fire, on every node (the metric of a node that does not evaluate stays current). */
    public void refreshFiring() {
        try {
            firing = store.firingByRule();
        } catch (RuntimeException e) {
            LOG.debug("firing alerts not read: {}", e.getMessage());
        }
    }

    /** migwatch_alerts_firing: every configured rule, 0 when none of its alerts fires. */
    public Map<String, Integer> firingByRule() {
        Map<String, Integer> out = new LinkedHashMap<>();
        Map<String, Integer> now = firing;
        config.rules().forEach(r -> out.put(r.name(), now.getOrDefault(r.name(), 0)));
        return out;
    }

    public AlertsConfig config() {
        return config;
    }
}
