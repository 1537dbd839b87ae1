-- Every registered item, not only outgoing requests: the Worker will send the outgoing ones and watch deadlines of all.
alter table ${schema}.outgoing_requests rename to items;
alter table ${schema}.items add column kind text not null default 'request';
alter table ${schema}.items add column direction text not null default 'outgoing';
alter table ${schema}.items add column channel text not null default '24-7';
