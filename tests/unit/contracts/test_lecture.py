"""Reading a batch in worker processes gives what reading it here gives, message by message."""
from __future__ import annotations

import pickle

import pytest

from ambition.contracts.inbound import MessageLu, Rejet
from ambition.ingest.lecture import SEUIL_PARALLELE, Lecteur, LecteurParallele

from contracts_support import INSCRIPTION, bad_inputs


def _vu(lu):
    if isinstance(lu, Rejet):
        return ("rejet", lu.code, lu.message, lu.event_id, lu.partner_id, lu.garder)
    assert isinstance(lu, MessageLu)
    return ("lu", lu)


@pytest.fixture
def lot(lycee, ml, registry):
    bons = []
    for i in range(SEUIL_PARALLELE):
        ine = f"{i:010d}A"
        lycee.eleve_inscrit(**{**INSCRIPTION, "ine": ine})
        m = lycee._producer.sent[-1]
        bons.append(("LYCEE", m["value"], m["headers"]))
    mauvais = [("LYCEE", v, h) for v, h in bad_inputs(lycee, ml, registry, lycee.cle(INSCRIPTION["ine"])).values()]
    return [x for pair in zip(bons, mauvais) for x in pair] + bons[len(mauvais):] + mauvais[len(bons):]


def test_les_processus_de_lecture_lisent_comme_ce_processus(settings, registry, directory, lot):
    ici = [_vu(lu) for lu in Lecteur(settings, registry, directory).lire(lot)]
    parallele = LecteurParallele(settings, registry, directory, 2)
    pool = parallele.pool
    try:
        ailleurs = [_vu(lu) for lu in parallele.lire(lot)]
    finally:
        parallele.close()
    assert parallele.pool is pool  # read by the workers, not here after they failed
    assert len(lot) >= SEUIL_PARALLELE
    assert {v[0] for v in ici} == {"lu", "rejet"} and len({v[1] for v in ici if v[0] == "rejet"}) > 5
    assert ailleurs == ici


def test_un_refus_passe_d_un_processus_a_l_autre_entier():
    r = pickle.loads(pickle.dumps(Rejet("SIGNATURE_INVALIDE", "forged", "e-1", "lycee:1", garder=False)))
    assert (r.code, r.message, r.event_id, r.partner_id, r.garder, str(r)) == (
        "SIGNATURE_INVALIDE", "forged", "e-1", "lycee:1", False, "SIGNATURE_INVALIDE: forged")


PARENT = '''
import sys
from pathlib import Path
from ambition.config import Settings
from ambition.contracts.codec import Registry
from ambition.contracts.partners import PartnerDirectory, demo_partners
from ambition.ingest.lecture import LecteurParallele
s = Settings(var_dir=Path(sys.argv[1]))
demo_partners(s)
lecteur = LecteurParallele(s, Registry.load(s.schemas_dir), PartnerDirectory.load(s), 2)
print(" ".join(str(p) for p in lecteur.pool._processes), flush=True)
sys.stdin.read()
'''


def _vivant(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as f:
            return "State:\tZ" not in f.read()
    except FileNotFoundError:
        return False


def test_les_processus_de_lecture_partent_quand_l_ingestion_est_tuee(tmp_path):
    """An ingestion killed by SIGKILL leaves no reader behind (they would wait forever)."""
    import signal
    import subprocess
    import sys

    from attente import jusqua

    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(tmp_path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    lecteurs = [int(p) for p in parent.stdout.readline().split()]
    assert len(lecteurs) == 2 and all(_vivant(p) for p in lecteurs)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    jusqua(lambda: not any(_vivant(p) for p in lecteurs), "the readers of a killed ingestion to leave")
