"""Application recorders that also keep the encrypted identities, one per persistence module.

Each extends the library's own recorder: ``save(*aggregates, identites={parcours_id: bytes})``
writes the identities in the same transaction as the events, so an enrolment is never stored
without its élève nor the other way round. Selected by the library's
``APPLICATION_RECORDER_TOPIC`` (SQLite, PostgreSQL) or by ``ParcoursApp`` (POPO).
"""

RECORDERS = {
    "eventsourcing.popo": "ambition.parcours.stockage.popo:POPOIdentitesRecorder",
    "eventsourcing.sqlite": "ambition.parcours.stockage.sqlite:SQLiteIdentitesRecorder",
    "eventsourcing.postgres": "ambition.parcours.stockage.postgres:PostgresIdentitesRecorder",
}
