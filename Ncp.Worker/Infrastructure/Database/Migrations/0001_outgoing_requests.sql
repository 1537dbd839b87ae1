-- The inbox: one row per (consumer, message) handled, so a redelivered message has no second effect.
create table ${schema}.processed_messages (
    consumer     text        not null,
    message_id   uuid        not null,
    processed_at timestamptz not null,
    trace_id     text,
    primary key (consumer, message_id)
);

-- Outgoing requests the Api registered, as the mail gateway will dispatch them.
create table ${schema}.outgoing_requests (
    item_id         uuid        primary key,
    register_number text        not null unique,
    partner_code    text        not null,
    subject         text        not null,
    priority        text        not null,
    state           text        not null,
    registered_at   timestamptz not null,
    received_at     timestamptz not null,
    trace_id        text
);
