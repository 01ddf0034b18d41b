"""Personal data of the élève, outside the domain: sealing on the wire (``scellement``), the
encrypted identity store with one data key per élève (``coffre``; the ciphertext is written by
``ambition.stockage`` in the event store, the keys are kept apart in ``cles``) and erasure by
crypto-shredding (the key destroyed)."""
