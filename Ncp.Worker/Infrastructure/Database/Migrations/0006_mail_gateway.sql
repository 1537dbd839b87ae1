-- What the gateway knows of partners, replicated from the Api's directory (PartnerDirectoryChanged).
create table ${schema}.partners (
    code              text        primary key,
    addresses         text[]      not null,
    languages         text[]      not null,
    encryption        text        not null,
    plaintext_allowed boolean     not null,
    active            boolean     not null,
    changed_at        timestamptz not null
);
create index partners_by_address on ${schema}.partners using gin (addresses);

-- Partner certificates and OpenPGP public keys imported (and validated) through the Api.
create table ${schema}.partner_keys (
    partner_code text        not null,
    fingerprint  text        not null,
    scheme       text        not null,
    material     bytea       not null,
    not_after    timestamptz,
    imported_at  timestamptz not null,
    removed_at   timestamptz,
    primary key (partner_code, fingerprint)
);

-- Keys and certificates (ours and the partners') about whose expiry someone was warned, once per key.
create table ${schema}.key_warnings (
    owner       text        not null,
    fingerprint text        not null,
    not_after   timestamptz not null,
    warned_at   timestamptz not null,
    primary key (owner, fingerprint)
);

-- The dispatch ledger: one row per mail asked for by the Api, with the exact bytes sent, so a retried send after a
-- crash is the same mail (same Message-ID), and a redelivered request is no second mail.
create table ${schema}.dispatches (
    dispatch_id     uuid        primary key,
    item_id         uuid        not null,
    register_number text        not null,
    partner_code    text        not null,
    purpose         text        not null,
    message_id      text        not null unique,
    recipients      text[]      not null,
    request         jsonb       not null,
    protection      text,
    mime            bytea,
    status          text        not null,      -- pending, sent, failed
    attempts        int         not null default 0,
    next_attempt_at timestamptz not null,
    last_error      text,
    created_at      timestamptz not null,
    sent_at         timestamptz,
    copied_to_sent  boolean     not null default false,
    reported        boolean     not null default false
);
create index dispatches_due on ${schema}.dispatches (next_attempt_at) where status = 'pending';
create index dispatches_unreported on ${schema}.dispatches (created_at) where not reported and status <> 'pending';
create index dispatches_not_copied on ${schema}.dispatches (sent_at) where status = 'sent' and not copied_to_sent;

-- Every raw mail read from the gateway's mailbox, stored before anything else is done with it.
create table ${schema}.inbound_mail (
    id           uuid        primary key,
    folder       text        not null,
    uid_validity bigint      not null,
    uid          bigint      not null,
    message_id   text,
    sender       text,
    subject      text,
    raw          bytea       not null,
    size         int         not null,
    received_at  timestamptz not null,
    status       text        not null,      -- new, delivered, quarantined, released, rejected
    reason       text,
    detail       text,
    partner_code text,
    processed_at timestamptz,
    reported     boolean     not null default false,
    unique (folder, uid_validity, uid)
);
create index inbound_new on ${schema}.inbound_mail (received_at) where status = 'new' or not reported;
create index inbound_by_message_id on ${schema}.inbound_mail (message_id);
