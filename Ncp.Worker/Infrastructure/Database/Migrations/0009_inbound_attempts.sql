-- A mail is claimed for a while (not_before) and its attempts counted before it is opened, so a mail that makes the
-- reader throw, or crashes the process, is tried a bounded number of times and then held as unprocessable, while the
-- mails behind it go on.
alter table ${schema}.inbound_mail add column attempts int not null default 0;
alter table ${schema}.inbound_mail add column not_before timestamptz;
alter table ${schema}.inbound_mail add column last_error text;
