package org.akiba.integrators;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Checks one Kafka record against the published contracts; every problem is one reason. */
final class RecordCheck {

    /** What a record turned out to be: its event's source, id and type (when readable). */
    record Outcome(String source, String id, String type, List<String> problems) {
        boolean valid() {
            return problems.isEmpty();
        }
    }

    private final Contracts contracts;

    RecordCheck(Contracts contracts) {
        this.contracts = contracts;
    }

    Outcome check(ConsumerRecord<byte[], byte[]> record) {
        List<String> problems = new ArrayList<>();
        if (record.value() == null) {
            // Akiba never deletes by tombstone, even on compacted topics: the latest record per
            // key is always a whole event.
            problems.add("the record has no value (a tombstone)");
            return new Outcome(null, null, null, problems);
        }
        JsonNode event;
        try {
            event = Contracts.JSON.readTree(new String(record.value(), StandardCharsets.UTF_8));
        } catch (JacksonException e) {
            problems.add("the value is not JSON: " + e.getOriginalMessage());
            return new Outcome(null, null, null, problems);
        }
        if (!event.isObject()) {
            problems.add("the value is not a JSON object");
            return new Outcome(null, null, null, problems);
        }
        String source = Contracts.text(event.get("source"));
        String id = Contracts.text(event.get("id"));
        String type = Contracts.text(event.get("type"));
        add(problems, "envelope", contracts.envelope(), event);
        headers(record, id, type, problems);
        if (type == null) {
            return new Outcome(source, id, null, problems);
        }
        Optional<Schema> payload = contracts.payload(type);
        if (payload.isEmpty()) {
            // Never skipped: an event nobody can validate is a contract failure, not noise.
            problems.add("unknown event type " + type + ": no published schema describes it");
            return new Outcome(source, id, type, problems);
        }
        Optional<Set<String>> allowed = contracts.typesOn(record.topic());
        if (allowed.isPresent() && !allowed.get().contains(type)) {
            problems.add("event type " + type + " is not published on " + record.topic());
        }
        add(problems, "message", contracts.message(type), event);
        String dataschema = Contracts.text(event.get("dataschema"));
        if (dataschema != null && !dataschema.equals(contracts.schemaId(type))) {
            problems.add("dataschema " + dataschema + " is not " + contracts.schemaId(type));
        }
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        String partitionKey = Contracts.text(event.get("partitionkey"));
        if (partitionKey != null && !partitionKey.equals(key)) {
            problems.add("the record key " + key + " is not the event's partitionkey " + partitionKey);
        }
        if (event.get("data") != null && event.get("data").isObject()) {
            add(problems, "data", payload.get(), event.get("data"));
        }
        return new Outcome(source, id, type, problems);
    }

    /** The header copies must be there and agree with the value, which is authoritative. */
    private void headers(
            ConsumerRecord<byte[], byte[]> record, String id, String type, List<String> problems) {
        ObjectNode found = Contracts.JSON.createObjectNode();
        for (Header header : record.headers()) {
            String value = header.value() == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
            found.put(header.key(), value);
        }
        add(problems, "headers", contracts.headers(), found);
        if (found.has("ce_id") && !Objects.equals(Contracts.text(found.get("ce_id")), id)) {
            problems.add("header ce_id " + found.get("ce_id") + " disagrees with the event's id " + id);
        }
        if (found.has("ce_type") && !Objects.equals(Contracts.text(found.get("ce_type")), type)) {
            problems.add("header ce_type " + found.get("ce_type") + " disagrees with the event's type " + type);
        }
    }

    private static void add(List<String> problems, String part, Schema schema, JsonNode node) {
        for (Error error : schema.validate(node)) {
            problems.add(part + ": " + error);
        }
    }
}
