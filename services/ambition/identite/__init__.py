"""Personal data of the élève, outside the domain: sealing on the wire (``scellement``), the
encrypted identity store with one data key per élève (``coffre``, ``stockage``) and erasure by
crypto-shredding."""
