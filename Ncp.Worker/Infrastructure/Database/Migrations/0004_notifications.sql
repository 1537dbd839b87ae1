-- People told of escalations: one row per (escalation, recipient), sent when the recipient is reachable.
create table ${schema}.notifications (
    id         uuid        primary key,
    event_id   uuid        not null,
    recipient  text        not null,
    subject    text        not null,
    body       text        not null,
    send_after timestamptz not null,
    created_at timestamptz not null,
    sent_at    timestamptz,
    attempts   int         not null default 0,
    last_error text,
    unique (event_id, recipient)
);

create index notifications_unsent_by_time on ${schema}.notifications (send_after) where sent_at is null;
