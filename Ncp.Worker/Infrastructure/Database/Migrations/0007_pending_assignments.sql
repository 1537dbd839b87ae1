-- An assignment that arrives before its item (ItemRegistered travels on another queue) waits here and is applied when
-- the item is recorded; both consumers take the same per-item advisory lock, so neither can miss the other.
create table ${schema}.pending_assignments (
    item_id     uuid        primary key,
    officer_id  text        not null,
    assigned_at timestamptz not null
);
