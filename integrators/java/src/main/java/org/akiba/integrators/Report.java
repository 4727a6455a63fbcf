package org.akiba.integrators;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Counts of what was read: records, distinct events, valid, invalid (with reasons), duplicates. */
final class Report {

    // Enough to see what is wrong; the counts cover the rest.
    private static final int LISTED_INVALID = 100;

    private final Set<String> seen = new HashSet<>();
    private final Map<String, long[]> byTopic = new TreeMap<>();
    private final Map<String, Long> byType = new TreeMap<>();
    private final ArrayNode invalid = Contracts.JSON.createArrayNode();
    private long records;
    private long events;
    private long valid;
    private long invalidCount;
    private long duplicates;

    /** Counts one record; a valid event seen before (same source and id) is a duplicate. */
    void add(ConsumerRecord<byte[], byte[]> record, RecordCheck.Outcome outcome) {
        records++;
        long[] topic = byTopic.computeIfAbsent(record.topic(), t -> new long[3]);
        topic[0]++;
        if (outcome.valid()) {
            // CloudEvents: id is unique per source, and a redelivery keeps both.
            if (!seen.add(outcome.source() + '\n' + outcome.id())) {
                duplicates++;
                topic[2]++;
                return;
            }
            valid++;
            byType.merge(outcome.type(), 1L, Long::sum);
        } else {
            invalidCount++;
            if (invalid.size() < LISTED_INVALID) {
                ObjectNode entry = invalid.addObject();
                entry.put("topic", record.topic());
                entry.put("partition", record.partition());
                entry.put("offset", record.offset());
                entry.put("id", outcome.id());
                entry.put("type", outcome.type());
                ArrayNode reasons = entry.putArray("reasons");
                outcome.problems().forEach(reasons::add);
            }
        }
        events++;
        topic[1]++;
    }

    long events() {
        return events;
    }

    long invalid() {
        return invalidCount;
    }

    ObjectNode toJson() {
        ObjectNode json = Contracts.JSON.createObjectNode();
        json.put("records", records);
        json.put("events", events);
        json.put("valid", valid);
        json.put("invalid", invalidCount);
        json.put("duplicates", duplicates);
        ObjectNode topics = json.putObject("topics");
        byTopic.forEach(
                (name, counts) -> {
                    ObjectNode t = topics.putObject(name);
                    t.put("records", counts[0]);
                    t.put("events", counts[1]);
                    t.put("duplicates", counts[2]);
                });
        ObjectNode types = json.putObject("types");
        byType.forEach(types::put);
        json.set("invalid_events", invalid);
        return json;
    }

    /** Lines for a person: the counts, then each listed invalid event with its reasons. */
    String summary() {
        StringBuilder out = new StringBuilder();
        out.append(
                String.format(
                        "%d records: %d events (%d valid, %d invalid), %d duplicates%n",
                        records, events, valid, invalidCount, duplicates));
        byTopic.forEach(
                (name, c) ->
                        out.append(
                                String.format(
                                        "  %s: %d records, %d events, %d duplicates%n",
                                        name, c[0], c[1], c[2])));
        invalid.forEach(
                entry -> {
                    out.append(
                            String.format(
                                    "INVALID %s[%d]@%d id=%s type=%s%n",
                                    entry.get("topic").asString(),
                                    entry.get("partition").asInt(),
                                    entry.get("offset").asLong(),
                                    entry.get("id").asString(),
                                    entry.get("type").asString()));
                    entry.get("reasons").forEach(r -> out.append("    ").append(r.asString()).append('\n'));
                });
        return out.toString();
    }
}
