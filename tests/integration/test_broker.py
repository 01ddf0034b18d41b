"""The embedded broker starts, takes the platform's topics and carries a message."""
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from ambition.config import load_topics
from attente import consommer


def test_topics_exist_with_declared_partitions(kafka_bootstrap):
    topics = load_topics()
    consumer = KafkaConsumer(bootstrap_servers=kafka_bootstrap)
    try:
        for name in topics.all():
            assert consumer.partitions_for_topic(name) == set(range(topics.partitions))
    finally:
        consumer.close()


def test_a_message_round_trips(kafka_bootstrap):
    topic = load_topics().rejets
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap)
    meta = producer.send(topic, key=b"k", value=b"hello", partition=0).get(timeout=10)
    producer.close()
    consumer = KafkaConsumer(bootstrap_servers=kafka_bootstrap)
    consumer.assign([TopicPartition(topic, 0)])
    consumer.seek(TopicPartition(topic, 0), meta.offset)
    try:
        values = consommer(consumer, lambda r: (r.key, r.value) if r.offset == meta.offset else None,
                           lambda kept: kept, f"the message at offset {meta.offset} read back")
    finally:
        consumer.close()
    assert values == [(b"k", b"hello")]
