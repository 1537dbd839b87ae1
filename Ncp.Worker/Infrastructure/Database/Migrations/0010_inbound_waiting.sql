-- The mails still to be judged, oldest first: what the processor claims and what the "inbound-mail" readiness check and
-- the oldest-waiting gauge read. inbound_new could not serve them: nothing sets reported on inbound mail, so its
-- "or not reported" kept every mail ever received in it, and both read the whole table.
create index inbound_waiting on ${schema}.inbound_mail (received_at) where status = 'new';
drop index ${schema}.inbound_new;
