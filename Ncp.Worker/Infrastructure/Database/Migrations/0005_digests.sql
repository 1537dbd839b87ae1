-- Who an item is assigned to, for digests; a later assignment wins.
alter table ${schema}.items add column assigned_officer_id text;
alter table ${schema}.items add column assigned_at timestamptz;

-- One digest per recipient and local day, whichever Worker gets there first.
create table ${schema}.digests (
    recipient  text        not null,
    local_date date        not null,
    created_at timestamptz not null,
    primary key (recipient, local_date)
);
