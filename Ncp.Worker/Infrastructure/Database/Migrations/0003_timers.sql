-- Durable wake-ups: one row per (item, ladder step). Due rows are claimed with SKIP LOCKED, so any number of
-- Workers share the work and each wake-up fires once per claim.
create table ${schema}.timers (
    item_id      uuid        not null,
    step         text        not null,
    due_at       timestamptz not null,
    requested_at timestamptz not null,
    fired_at     timestamptz,
    primary key (item_id, step)
);

create index timers_pending_by_due on ${schema}.timers (due_at) where fired_at is null;
