-- Each signed content the gateway has read, once: the same signed content in another mail is a copy sent again (by a
-- mail server delivering twice, or by someone replaying it) and is held as `replayed`, naming the mail it first came in.
-- The key is a SHA-256 over the signers (scheme, fingerprint, signing time) and the signed content's bytes.
create table ${schema}.signed_content (
    digest      bytea       primary key,
    inbound_id  uuid        not null,
    message_id  text,
    received_at timestamptz not null
);
