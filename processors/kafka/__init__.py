"""The engine on Kafka: per partition of the commands topic a processing loop around the pure
engine core, state in RocksDB replicated through a changelog topic, every command's outputs
committed in one Kafka transaction (docs/kafka-runtime.md)."""
