-- Issue 13: webhook URLs often carry a token. The outbox (shown to officers)
-- now names the receiver ("webhook:<receiver>") instead of the URL, and
-- earlier error texts of webhook deliveries, which could quote the URL, are
-- replaced.
UPDATE deliveries SET recipient = 'webhook:' || receiver WHERE channel = 'webhook';
UPDATE deliveries SET last_error = 'error text removed on upgrade (it could contain the webhook URL)'
WHERE channel = 'webhook' AND last_error <> '';
