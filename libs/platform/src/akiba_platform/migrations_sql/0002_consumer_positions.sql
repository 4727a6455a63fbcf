-- Where each consumer stands in each partition, written in the transaction of the effects it
-- applied. Where the database has a position it wins over the group's committed offset: a
-- crash between the database commit and the Kafka commit re-reads nothing, and a restored
-- backup resumes where the backup stood (re-applying what came after it). Offsets are still
-- committed to the group, for lag, for tools, and for a database that never read a partition.
create table consumer_positions (
    consumer    text    not null,
    topic       text    not null,
    partition   integer not null,
    next_offset bigint  not null,
    updated_at  timestamptz not null default now(),
    primary key (consumer, topic, partition)
);
