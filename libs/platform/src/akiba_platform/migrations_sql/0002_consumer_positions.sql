-- Where each consumer stands in each partition, written in the transaction of the effects it
-- applied. The database, not the Kafka group, says where to resume: a new or rebuilt database
-- reads its topics from the start (its read models fill again), a restored backup resumes
-- where the backup stood, and a crash between the database commit and the Kafka commit
-- re-reads nothing. Offsets are still committed to the group, for lag and for tools.
create table consumer_positions (
    consumer    text    not null,
    topic       text    not null,
    partition   integer not null,
    next_offset bigint  not null,
    updated_at  timestamptz not null default now(),
    primary key (consumer, topic, partition)
);
