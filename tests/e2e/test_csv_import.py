"""A lycée without an integration imports its spreadsheet: the enrolments reach the views, once."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from ambition.api.jetons import demo_tokens
from ambition.contracts.partners import demo_partners
from ambition.pseudonym import cle_parcours
from attente import jusqua
from platform_support import metrique, tout_decide_et_projete

ENTETE = ("ine;nom;prenom;date_naissance;diplome;session;resultat;en_emploi;en_formation;"
          "consentement_eleve;consentement_representant_legal;referent;date_debut;date_fin_prevue;"
          "boursier;interne;fonds_sociaux;accompagnement_handicap")


def as_actor(running, actor: str) -> None:
    """The API answers each actor with its bearer token: the PSAD, or a lycée (its partner id)."""
    running.http.headers["Authorization"] = f"Bearer {demo_tokens(running.settings)[actor]}"


def lignes(n: int, start: int = 0) -> list[tuple[str, str]]:
    out = []
    for i in range(start, start + n):
        ine = f"{i:010d}K"
        diplome = "BTS" if i == start + n - 1 else ("CAP" if i % 2 else "Bac pro")  # the last: ineligible
        out.append((ine, f"{ine};Élève{i};Chloé;0{1 + i % 9}/03/2007;{diplome};2026;Échec;non;non;oui;oui;"
                         f"M. Rémi Côté;2026-09-{10 + i % 15:02d};15/12/2026;oui;non;non;non"))
    return out


def import_csv(running, path: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, **running.env)
    return subprocess.run([sys.executable, "-m", "ambition.cli", "import-csv", "lycee", str(path), *args],
                          env=env, capture_output=True, text=True, timeout=120)


def doublons(running) -> float:
    text = httpx.get(f"http://127.0.0.1:{running.settings.ingest_metrics_port}/metrics").text
    for line in text.splitlines():
        if line.startswith('ambition_messages_consumed_total{outcome="doublon",topic="ambition.partenaires.lycee"}'):
            return float(line.split()[-1])
    return 0.0


def test_an_imported_file_reaches_the_views_once(running, tmp_path):
    cred = [c for c in demo_partners(running.settings) if c.type == "LYCEE"][4]
    rows = lignes(8)
    path = tmp_path / "export.csv"
    path.write_bytes(("\r\n".join([ENTETE] + [r for _, r in rows]) + "\r\n").encode("cp1252"))
    outbox = tmp_path / "outbox.sqlite"

    done = import_csv(running, path, "--uai", cred.identifiant, "--outbox", str(outbox))
    assert done.returncode == 0, done.stderr
    assert "8 valid, 0 in error" in done.stdout and "sent 8 enrolment(s)" in done.stdout

    secret = running.settings.pseudonym_secret
    eligible = {cle_parcours(ine, secret) for ine, _ in rows[:-1]}
    as_actor(running, cred.partner_id)
    view = running.wait_for(f"/v1/lycees/{cred.identifiant}/eleves", lambda b: b["total"] >= 7,
                            limit=1000)
    assert {e["cle"] for e in view["items"]} == eligible and view["total"] == 7
    as_actor(running, "psad:national")
    synthese = running.wait_for("/v1/psad/synthese",
                                lambda b: b["refus"].get("ELIGIBILITE_DIPLOME", 0) >= 1)
    entrees, refus = synthese["entrees"], synthese["refus"]["ELIGIBILITE_DIPLOME"]

    # the same file again: the platform receives the same events and counts none twice (the 7
    # accepted ones come back as duplicates; the refused one is refused again, and the refusal
    # view keeps it once, by event id)
    before = doublons(running)
    port = running.settings.projection_metrics_port
    refus_vus = metrique(port, "ambition_projection_events_total", projection="refus", outcome="doublon")
    again = import_csv(running, path, "--uai", cred.identifiant, "--outbox", str(outbox))
    assert again.returncode == 0, again.stderr
    jusqua(lambda: doublons(running) >= before + 7, "the 7 accepted enrolments decided again as duplicates")
    jusqua(lambda: metrique(port, "ambition_projection_events_total", projection="refus",
                            outcome="doublon") >= refus_vus + 1,
           "the refused line's second refusal reached the refusal view, as a duplicate")
    tout_decide_et_projete(running)
    as_actor(running, cred.partner_id)
    assert running.get(f"/v1/lycees/{cred.identifiant}/eleves", limit=1000)["total"] == 7
    as_actor(running, "psad:national")
    synthese = running.get("/v1/psad/synthese")
    assert synthese["entrees"] == entrees and synthese["refus"]["ELIGIBILITE_DIPLOME"] == refus


def test_a_file_with_an_error_sends_nothing(running, tmp_path):
    cred = [c for c in demo_partners(running.settings) if c.type == "LYCEE"][5]
    rows = [r for _, r in lignes(3, start=100)]
    rows[1] = rows[1].replace("2026-09-", "2026-13-")  # line 3: a date that does not exist
    path = tmp_path / "export.csv"
    path.write_text("\n".join([ENTETE.replace(";", ",")] + [r.replace(";", ",") for r in rows]) + "\n",
                    encoding="utf-8-sig")
    done = import_csv(running, path, "--uai", cred.identifiant, "--outbox", str(tmp_path / "o.sqlite"))
    assert done.returncode == 1
    assert "line 3, column date_debut" in done.stderr and "nothing sent" in done.stderr
    assert not (tmp_path / "o.sqlite").exists()
    # positive signal: a good file imported after it reaches the view alone
    sentinelle = tmp_path / "sentinelle.csv"
    (ine, ligne), = lignes(1, start=200)
    sentinelle.write_text("\n".join([ENTETE, ligne.replace(";Bac pro;", ";CAP;").replace(";BTS;", ";CAP;")]) + "\n",
                          encoding="utf-8")
    ok = import_csv(running, sentinelle, "--uai", cred.identifiant, "--outbox", str(tmp_path / "s.sqlite"))
    assert ok.returncode == 0, ok.stderr
    as_actor(running, cred.partner_id)
    view = running.wait_for(f"/v1/lycees/{cred.identifiant}/eleves", lambda b: b["total"] >= 1)
    assert [e["cle"] for e in view["items"]] == [cle_parcours(ine, running.settings.pseudonym_secret)]
