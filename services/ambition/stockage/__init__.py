"""The event store's adapters, outside the domain: application recorders that also keep the
encrypted identities (ciphertext only: their data keys are in the key store,
``ambition.identite.cles``), one per persistence module.

Each extends the library's own recorder: ``save(*aggregates, identites={parcours_id: bytes})``
writes the identities in the same transaction as the events, so an enrolment is never stored
without its élève nor the other way round. Selected by the library's
``APPLICATION_RECORDER_TOPIC``, which ``ambition.bootstrap`` sets for the store in use.
"""

RECORDERS = {
    "eventsourcing.popo": "ambition.stockage.popo:POPOIdentitesRecorder",
    "eventsourcing.sqlite": "ambition.stockage.sqlite:SQLiteIdentitesRecorder",
    "eventsourcing.postgres": "ambition.stockage.postgres:PostgresIdentitesRecorder",
}
