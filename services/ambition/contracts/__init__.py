"""Event contracts: Avro schemas, single-object codec, partner identity, inbound checks, catalogue."""
