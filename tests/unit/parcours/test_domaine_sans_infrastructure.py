"""The domain imports nothing of Kafka, Faust, HTTP, metrics or SQL drivers."""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import ambition.parcours

INTERDITS = ("kafka", "aiokafka", "faust", "mode", "fastapi", "starlette", "uvicorn", "httpx",
             "prometheus_client", "psycopg", "psycopg_pool", "sqlalchemy", "sqlite3")
PAQUET = Path(ambition.parcours.__file__).parent
# the storage adapters extend the library's SQL recorders: they are infrastructure by design
ADAPTATEURS = {"stockage"}


def test_aucun_module_du_domaine_n_importe_l_infrastructure():
    for module in PAQUET.rglob("*.py"):
        if ADAPTATEURS & set(module.relative_to(PAQUET).parts):
            continue
        for noeud in ast.walk(ast.parse(module.read_text())):
            noms = []
            if isinstance(noeud, ast.Import):
                noms = [a.name for a in noeud.names]
            elif isinstance(noeud, ast.ImportFrom) and noeud.module and noeud.level == 0:
                noms = [noeud.module]
            for nom in noms:
                assert nom.split(".")[0] not in INTERDITS, f"{module.name} imports {nom}"


def test_importer_et_utiliser_le_domaine_ne_charge_aucune_infrastructure():
    code = ("import sys\n"
            "from ambition.parcours import make_app\n"
            "from ambition.parcours.exemples import fait\n"
            "app = make_app(PERSISTENCE_MODULE='eventsourcing.popo')\n"
            "assert app.traiter_lot([fait('EleveInscrit')])[0].statut == 'ACCEPTE'\n"
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {INTERDITS!r}))\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    sortie = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, check=True)
    assert sortie.stdout.strip() == "[]", sortie.stdout


def test_chaque_code_de_refus_a_son_test():
    import re
    codes = set()
    for module in PAQUET.glob("*.py"):
        codes |= set(re.findall(r'Refus\(\s*"([A-Z_0-9]+)"', module.read_text()))
    codes |= {"FAIT_INVALIDE", "IDENTIFIANT_INVALIDE"}
    tests = "".join(p.read_text() for p in Path(__file__).parent.glob("test_*.py"))
    for code in sorted(codes):
        assert f'"{code}")' in tests, f"no test asserts a refusal with {code}"
    assert len(codes) >= 17
