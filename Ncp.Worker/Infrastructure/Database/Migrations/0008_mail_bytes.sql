-- The mail kept in these columns is encrypted (or already compressed) and does not shrink: PostgreSQL's own
-- compression of large values (pglz) only spent CPU on every write of them. Stored out of line, uncompressed.
alter table ${schema}.dispatches alter column mime set storage external;
alter table ${schema}.inbound_mail alter column raw set storage external;

-- When our copy reached the Sent folder (a mail copied before this column existed keeps null).
alter table ${schema}.dispatches add column copied_at timestamptz;
