-- Schema version 12: what the alerts' retention (migwatch.retention.alerts, AlertRetention) searches by, so that its
-- hourly run reads the rows past the limit and not the whole table: a rule that repeats hourly writes a notification
-- per channel and hour for as long as its alert stays open.
CREATE INDEX alert_notification_created ON alert_notification (created_at);
CREATE INDEX alert_resolved ON alert (resolved_at);
