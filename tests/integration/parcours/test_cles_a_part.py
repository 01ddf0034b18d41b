"""Erasure by crypto-shredding on real stores (a SQLite file, PostgreSQL): each élève's data
key lives in the key store, apart from the event store that keeps only the ciphertext, so
destroying the key makes every other copy of the ciphertext unreadable."""
from __future__ import annotations

import shutil
import sqlite3
import uuid
from contextlib import closing
from dataclasses import replace

import psycopg
import pytest
from eventsourcing.cryptography import AESCipher
from eventsourcing.utils import Environment

from ambition.bootstrap import make_app
from ambition.config import Settings
from ambition.parcours import Parcours
from ambition.parcours.exemples import fait

INE = "RBTGGW1UCXZ"  # the enrolment of ambition.parcours.exemples (drawn from its seed)


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request, tmp_path):
    if request.param == "sqlite":
        return Settings(var_dir=tmp_path, event_store="")
    return Settings(var_dir=tmp_path, event_store=request.getfixturevalue("postgres_dsn"))


def inscrire(settings):
    """Enrol an élève; the app, its parcours key and id."""
    app = make_app(settings)
    inscription = fait("EleveInscrit")
    assert app.traiter_lot([inscription])[0].statut == "ACCEPTE"
    return app, inscription.cle, Parcours.id_pour(inscription.cle)


def cle_enveloppee(settings, pid) -> bytes:
    with closing(sqlite3.connect(settings.key_store)) as conn:
        (enveloppe,) = conn.execute("SELECT enveloppe FROM cles WHERE parcours_id = ?",
                                    (pid.hex,)).fetchone()
    return bytes(enveloppe)


def cle_en_clair(settings, enveloppe: bytes) -> bytes:
    return AESCipher(Environment("t", {"CIPHER_KEY": settings.cipher_key})).decrypt(enveloppe)


def octets_du_trousseau(settings) -> bytes:
    return b"".join(p.read_bytes() for p in settings.key_store.parent.glob("cles.sqlite*"))


def test_oublier_efface_la_cle_des_octets_du_trousseau(settings):
    app, cle, pid = inscrire(settings)
    enveloppe = cle_enveloppee(settings, pid)
    assert enveloppe in octets_du_trousseau(settings)  # the scan sees the key while it exists
    app.oublier(cle)
    # read while the platform runs (its connection open), as a copy of the disk would be
    reste = octets_du_trousseau(settings)
    assert enveloppe not in reste and cle_en_clair(settings, enveloppe) not in reste
    assert [p.name for p in settings.key_store.parent.glob("cles.sqlite*")] == ["cles.sqlite"]
    assert app.identite(cle) is None
    app.close()


def test_une_sauvegarde_du_store_d_evenements_ne_se_lit_plus_apres_l_oubli(settings, tmp_path):
    """A backup of the event store taken before the erasure, restored after it, still holds the
    ciphertext, but neither the key nor anything the master key opens: the identity is gone."""
    app, cle, pid = inscrire(settings)
    copie = app.recorder.lire_identite(pid)
    enveloppe = cle_enveloppee(settings, pid)
    app.close()
    sauvegarde = sauvegarder(settings, tmp_path / "sauvegarde")
    try:
        assert make_app(sauvegarde).identite(cle)["ine"] == INE  # readable before the erasure
        app = make_app(settings)
        app.oublier(cle)
        app.close()
        restauree = make_app(sauvegarde)
        assert restauree.recorder.lire_identite(pid) == copie  # the ciphertext is still there
        assert restauree.parcours(cle).version == 1 and restauree.identite(cle) is None
        assert restauree.coffre.dechiffrer(pid, copie) is None
        restauree.close()
        octets = octets_du_store(sauvegarde)
        assert copie in octets  # the scan reads the stored rows
        assert enveloppe not in octets and cle_en_clair(settings, enveloppe) not in octets
    finally:
        if sauvegarde.event_store:
            with psycopg.connect(admin(sauvegarde), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{base(sauvegarde)}" WITH (FORCE)')


def test_le_store_postgres_n_a_jamais_tenu_la_cle_ni_dans_ses_fichiers_ni_dans_son_wal(
        postgres_dsn, tmp_path):
    """Read as the server sees its own files (superuser): the write-ahead log written since the
    enrolment, the identity table's relation file and every relation of the database, after
    the erasure and before any VACUUM."""
    settings = Settings(var_dir=tmp_path, event_store=postgres_dsn)
    with psycopg.connect(admin(settings), autocommit=True) as garde:
        # a temporary slot (gone with this connection) keeps the log from here on: a
        # checkpoint elsewhere on the server cannot recycle the segments before they are read
        garde.execute("SELECT pg_create_physical_replication_slot(%s, true, true)",
                      (f"cles_{uuid.uuid4().hex[:12]}",))
        (debut,) = garde.execute("SELECT pg_walfile_name(pg_current_wal_lsn())").fetchone()
        app, cle, pid = inscrire(settings)
        copie = app.recorder.lire_identite(pid)
        enveloppe = cle_enveloppee(settings, pid)
        secrets = (enveloppe, cle_en_clair(settings, enveloppe))
        wal = octets_du_wal(garde, debut)
        assert copie in wal  # the enrolment's transaction is in the scanned log
        assert not [s for s in secrets if s in wal]
        app.oublier(cle)
        app.close()
        assert not [s for s in secrets if s in octets_du_wal(garde, debut)]
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        conn.execute("CHECKPOINT")  # the table's pages are in their files
        (table,) = conn.execute(
            "SELECT pg_read_binary_file(pg_relation_filepath('parcoursapp_events_identites'))"
        ).fetchone()
        fichiers = b"".join(bytes(r[0]) for r in conn.execute(
            "SELECT pg_read_binary_file(pg_relation_filepath(oid)) FROM pg_class "
            "WHERE pg_relation_filepath(oid) IS NOT NULL AND relpersistence = 'p' "
            "AND relkind IN ('r', 't', 'i', 'm')"))
    assert len(table) > 0 and bytes(table) in fichiers
    for octets in (bytes(table), fichiers):
        assert not [s for s in secrets if s in octets]


def test_la_rotation_de_la_cle_maitre_reenveloppe_le_trousseau_sans_toucher_aux_records(settings):
    app, cle, pid = inscrire(settings)
    record, ancienne = app.recorder.lire_identite(pid), cle_enveloppee(settings, pid)
    app.close()
    nouvelle_cle = AESCipher.create_key(32)
    apres = replace(settings, cipher_key=nouvelle_cle)
    coffre = make_app(apres).coffre
    with pytest.raises(ValueError):  # not the previous key: nothing changes
        coffre.reenvelopper(nouvelle_cle)
    assert cle_enveloppee(settings, pid) == ancienne
    assert coffre.reenvelopper(settings.cipher_key) == 1
    coffre.close()
    relue = make_app(apres)
    assert relue.recorder.lire_identite(pid) == record and relue.identite(cle)["ine"] == INE
    assert ancienne not in octets_du_trousseau(settings)
    with pytest.raises(ValueError):
        make_app(settings).identite(cle)  # the previous master key opens nothing any more


# -- backups and scans ---------------------------------------------------------------------

def base(settings) -> str:
    return settings.event_store.rsplit("/", 1)[1]


def admin(settings) -> str:
    """The server's maintenance database, as the same superuser."""
    return settings.event_store.rsplit("/", 1)[0] + "/postgres"


def sauvegarder(settings, ailleurs) -> Settings:
    """A copy of the event store (its files, or a database made from it), read with the live
    key store, as a restored backup would be."""
    if not settings.event_store:
        ailleurs.mkdir()
        for p in settings.var_dir.glob("event-store.sqlite*"):
            shutil.copy(p, ailleurs / p.name)
        return replace(settings, var_dir=ailleurs, key_store_path=str(settings.key_store))
    nom = f"{base(settings)}_sauvegarde"
    with psycopg.connect(admin(settings), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{nom}" TEMPLATE "{base(settings)}"')
    return replace(settings, event_store=settings.event_store.rsplit("/", 1)[0] + "/" + nom,
                   key_store_path=str(settings.key_store))


def octets_du_store(settings) -> bytes:
    if not settings.event_store:
        return b"".join(p.read_bytes() for p in settings.var_dir.glob("event-store.sqlite*"))
    with psycopg.connect(settings.event_store, autocommit=True) as conn:
        conn.execute("CHECKPOINT")
        return b"".join(bytes(r[0]) for r in conn.execute(
            "SELECT pg_read_binary_file(pg_relation_filepath(oid)) FROM pg_class "
            "WHERE pg_relation_filepath(oid) IS NOT NULL AND relpersistence = 'p'"))


def octets_du_wal(conn, debut: str) -> bytes:
    """The write-ahead log's segments from ``debut`` to the current one."""
    (fin,) = conn.execute("SELECT pg_walfile_name(pg_current_wal_lsn())").fetchone()
    noms = [r[0] for r in conn.execute(
        "SELECT name FROM pg_ls_waldir() WHERE name BETWEEN %s AND %s ORDER BY name", (debut, fin))]
    assert noms and noms[0] == debut
    return b"".join(bytes(conn.execute("SELECT pg_read_binary_file(%s)", (f"pg_wal/{n}",))
                          .fetchone()[0]) for n in noms)
