"""Personal data of the élève, outside the domain: sealing on the wire (``scellement``), the
encrypted identity store with one data key per élève (``coffre``; its tables are written by
``ambition.stockage``) and erasure by crypto-shredding."""
