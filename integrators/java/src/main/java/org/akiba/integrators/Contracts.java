package org.akiba.integrators;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The published contracts, read from a copy of Akiba's {@code contracts/} folder: the envelope
 * schema, one payload schema per event type, and from the AsyncAPI document the event types of
 * each topic, the attributes every message carries and the Kafka headers.
 *
 * <p>Nothing here is specific to Akiba's code: an integrator needs only these files.
 */
final class Contracts {

    static final ObjectMapper JSON = JsonMapper.builder().build();

    private final Schema envelope;
    private final Map<String, Schema> payloads;
    private final Map<String, String> schemaIds;
    private final Map<String, Set<String>> typesByTopic;
    private final Map<String, Schema> messages;
    private final Schema headers;

    private Contracts(
            Schema envelope,
            Map<String, Schema> payloads,
            Map<String, String> schemaIds,
            Map<String, Set<String>> typesByTopic,
            Map<String, Schema> messages,
            Schema headers) {
        this.envelope = envelope;
        this.payloads = payloads;
        this.schemaIds = schemaIds;
        this.typesByTopic = typesByTopic;
        this.messages = messages;
        this.headers = headers;
    }

    /** Reads {@code schemas/*.json} and {@code asyncapi.json} under a contracts folder. */
    static Contracts load(Path folder) throws IOException {
        // Formats are only annotations in draft 2020-12 unless asked for: a "uuid" or "date-time"
        // that is not one must fail here, as it fails Akiba's own consumers.
        SchemaRegistry registry =
                SchemaRegistry.withDefaultDialect(
                        SpecificationVersion.DRAFT_2020_12,
                        builder ->
                                builder.schemaRegistryConfig(
                                        SchemaRegistryConfig.builder()
                                                .formatAssertionsEnabled(true)
                                                .build()));
        Path schemas = folder.resolve("schemas");
        Schema envelope = registry.getSchema(read(schemas.resolve("cloudevent.json")));
        Map<String, Schema> payloads = new TreeMap<>();
        Map<String, String> schemaIds = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(schemas, "*.json")) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.equals("cloudevent.json")) {
                    continue;
                }
                // schemas/<event type>.json, its $id the event's dataschema.
                String type = name.substring(0, name.length() - ".json".length());
                JsonNode schema = read(file);
                payloads.put(type, registry.getSchema(schema));
                schemaIds.put(type, text(schema.path("$id")));
            }
        }
        JsonNode asyncapi = read(folder.resolve("asyncapi.json"));
        Map<String, Set<String>> typesByTopic = new TreeMap<>();
        for (Map.Entry<String, JsonNode> channel : asyncapi.path("channels").properties()) {
            Set<String> types = new LinkedHashSet<>();
            for (JsonNode ref : channel.getValue().path("messages").values()) {
                types.add(text(message(asyncapi, text(ref.path("$ref"))).path("name")));
            }
            typesByTopic.put(text(channel.getValue().path("address")), types);
        }
        Map<String, Schema> messages = new TreeMap<>();
        JsonNode headers = null;
        for (JsonNode message : asyncapi.path("components").path("messages").values()) {
            messages.put(text(message.path("name")), registry.getSchema(refinement(message)));
            headers = message.path("headers");
        }
        if (envelope == null || payloads.isEmpty() || typesByTopic.isEmpty() || headers == null) {
            throw new IOException(folder + " does not hold Akiba's published contracts");
        }
        return new Contracts(
                envelope,
                payloads,
                schemaIds,
                typesByTopic,
                messages,
                registry.getSchema(headers));
    }

    /** The envelope schema (CloudEvents 1.0 as Akiba uses it). */
    Schema envelope() {
        return envelope;
    }

    /** The payload schema of an event type, if one is published. */
    Optional<Schema> payload(String type) {
        return Optional.ofNullable(payloads.get(type));
    }

    /** The {@code $id} of an event type's payload schema: the event's {@code dataschema}. */
    String schemaId(String type) {
        return schemaIds.get(type);
    }

    /** The event types the AsyncAPI document lists on a topic; empty if it lists no such topic. */
    Optional<Set<String>> typesOn(String topic) {
        return Optional.ofNullable(typesByTopic.get(topic));
    }

    /** What the AsyncAPI message of a type requires of the event beyond the envelope. */
    Schema message(String type) {
        return messages.get(type);
    }

    /** The Kafka headers every message carries. */
    Schema headers() {
        return headers;
    }

    int eventTypes() {
        return payloads.size();
    }

    int topics() {
        return typesByTopic.size();
    }

    private static JsonNode message(JsonNode asyncapi, String ref) {
        // "#/channels/<topic>/messages/<Name>" points at "#/components/messages/<Name>".
        String name = ref.substring(ref.lastIndexOf('/') + 1);
        return asyncapi.path("components").path("messages").path(name);
    }

    /**
     * The message's own constraints (its type, content type and required attributes) without
     * the references to the envelope and payload schemas, which are checked on their own so
     * that a failure names the part that failed.
     */
    private static JsonNode refinement(JsonNode message) {
        for (JsonNode part : message.path("payload").path("allOf").values()) {
            if (part.has("properties")) {
                ObjectNode own = (ObjectNode) part.deepCopy();
                ((ObjectNode) own.get("properties")).remove("data");
                own.put("$schema", "https://json-schema.org/draft/2020-12/schema");
                return own;
            }
        }
        throw new IllegalArgumentException("message " + message.path("name") + " has no payload");
    }

    private static JsonNode read(Path file) throws IOException {
        return JSON.readTree(Files.readString(file));
    }

    static String text(JsonNode node) {
        return node != null && node.isString() ? node.stringValue() : null;
    }
}
