package org.akiba.integrators;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads Akiba topics from their beginning to their end (as they were when it started), checks
 * every record against the published contracts, dedupes by event id and reports.
 *
 * <pre>
 * java -jar akiba-event-check.jar --bootstrap HOST:PORT --contracts DIR --topic T [--topic T…]
 *     [--consumer-config FILE] [--min-events N] [--timeout-seconds S] [--report FILE]
 * </pre>
 *
 * Exit status: 0 when every event is valid and at least the minimum was read; 1 when an event
 * is invalid or too few were read; 2 when it could not run (arguments, contracts, a topic that
 * does not exist, the broker out of reach, the end not reached in time).
 */
public final class EventCheck {

    private EventCheck() {}

    public static void main(String[] args) {
        // Before the first logger: the Kafka client's INFO lines would bury the report.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        try {
            System.exit(run(Options.parse(args)));
        } catch (UsageError e) {
            System.err.println("akiba-event-check: " + e.getMessage());
            System.exit(2);
        }
    }

    static int run(Options options) {
        Contracts contracts;
        try {
            contracts = Contracts.load(options.contracts);
        } catch (IOException | RuntimeException e) {
            throw new UsageError("cannot read the contracts in " + options.contracts + ": " + e);
        }
        System.out.printf(
                "contracts: %d event types, %d topics (%s)%n",
                contracts.eventTypes(), contracts.topics(), options.contracts);
        for (String topic : options.topics) {
            if (contracts.typesOn(topic).isEmpty()) {
                System.out.printf("note: %s is not in the AsyncAPI document; any published type is accepted%n", topic);
            }
        }
        RecordCheck check = new RecordCheck(contracts);
        Report report = new Report();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(options.consumerProperties())) {
            List<TopicPartition> partitions = partitions(consumer, options);
            // No consumer group: nothing to join, no offsets to commit, and Read on the topics
            // is the only right it needs.
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, options.timeout);
            Instant deadline = Instant.now().plus(options.timeout);
            while (!reached(consumer, end)) {
                if (Instant.now().isAfter(deadline)) {
                    throw new UsageError("the end of the topics was not reached in " + options.timeout);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.offset() < end.get(new TopicPartition(record.topic(), record.partition()))) {
                        report.add(record, check.check(record));
                    }
                }
            }
        } catch (KafkaException e) {
            // Signing in refused, a topic it may not read, the broker out of reach.
            throw new UsageError("Kafka: " + e.getMessage());
        }
        System.out.print(report.summary());
        if (options.report != null) {
            try {
                Files.writeString(options.report, report.toJson().toPrettyString() + "\n");
            } catch (IOException e) {
                throw new UsageError("cannot write the report " + options.report + ": " + e);
            }
        }
        if (report.events() < options.minEvents) {
            System.out.printf("FAILED: %d events read, at least %d expected%n", report.events(), options.minEvents);
            return 1;
        }
        if (report.invalid() > 0) {
            System.out.printf("FAILED: %d invalid events%n", report.invalid());
            return 1;
        }
        System.out.println("OK: every event is valid");
        return 0;
    }

    private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, Options options) {
        List<TopicPartition> found = new ArrayList<>();
        for (String topic : options.topics) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, options.timeout);
            if (infos == null || infos.isEmpty()) {
                throw new UsageError("topic " + topic + " does not exist");
            }
            infos.forEach(p -> found.add(new TopicPartition(p.topic(), p.partition())));
        }
        return found;
    }

    private static boolean reached(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** A reason it could not run at all (exit status 2). */
    static final class UsageError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageError(String message) {
            super(message);
        }
    }

    /** The command line. */
    static final class Options {
        String bootstrap;
        Path contracts;
        final List<String> topics = new ArrayList<>();
        Path consumerConfig;
        long minEvents = 1;
        Duration timeout = Duration.ofSeconds(120);
        Path report;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String name = args[i];
                if (i + 1 >= args.length) {
                    throw new UsageError(name + " needs a value");
                }
                String value = args[++i];
                switch (name) {
                    case "--bootstrap" -> o.bootstrap = value;
                    case "--contracts" -> o.contracts = Path.of(value);
                    case "--topic" -> o.topics.add(value);
                    case "--consumer-config" -> o.consumerConfig = Path.of(value);
                    case "--min-events" -> o.minEvents = number(name, value);
                    case "--timeout-seconds" -> o.timeout = Duration.ofSeconds(number(name, value));
                    case "--report" -> o.report = Path.of(value);
                    default -> throw new UsageError("unknown option " + name);
                }
            }
            if (o.bootstrap == null || o.contracts == null || o.topics.isEmpty()) {
                throw new UsageError(
                        "usage: --bootstrap HOST:PORT --contracts DIR --topic T [--topic T…]"
                                + " [--consumer-config FILE] [--min-events N] [--timeout-seconds S]"
                                + " [--report FILE]");
            }
            return o;
        }

        /** The client's settings: any Kafka consumer property (SASL, TLS) from the file. */
        Properties consumerProperties() {
            Properties p = new Properties();
            if (consumerConfig != null) {
                try (Reader in = Files.newBufferedReader(consumerConfig)) {
                    p.load(in);
                } catch (IOException e) {
                    throw new UsageError("cannot read " + consumerConfig + ": " + e);
                }
            }
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
            p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "akiba-event-check");
            return p;
        }

        private static long number(String name, String value) {
            try {
                long n = Long.parseLong(value);
                if (n < 0) {
                    throw new NumberFormatException();
                }
                return n;
            } catch (NumberFormatException e) {
                throw new UsageError(name + " takes a whole number, not " + value);
            }
        }
    }
}
