-- Each partner's own trust anchors (root CA certificates, DER): a signer counts for a partner only when its certificate
-- chains to one of these, never to a CA another partner trusts.
alter table ${schema}.partners add column if not exists trust_anchors bytea[] not null default '{}';
