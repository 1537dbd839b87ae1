-- Dead letters the duty desk was told of, once each (by the message's id in its error queue).
create table ${schema}.dead_letter_alarms (
    message_id text        primary key,
    queue      text        not null,
    told_at    timestamptz not null
);
