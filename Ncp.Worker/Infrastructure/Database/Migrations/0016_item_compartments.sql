-- Items in a compartment (a restricted channel, CSTO by default) reach only the digests of people cleared for it. The
-- Api says which channels are restricted (ItemRegistered.Restricted, ItemChannelSet); items recorded before it said so
-- are taken as the default compartment had them.
alter table ${schema}.items add column restricted boolean not null default false;
alter table ${schema}.items add column channel_set_at timestamptz;
update ${schema}.items set restricted = true where channel = 'csto';
