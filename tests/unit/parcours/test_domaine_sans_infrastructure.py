"""The domain imports nothing of Kafka, Faust, HTTP, metrics, SQL drivers nor cryptography,
and nothing of the platform outside itself: the store's adapters (``ambition.stockage``), the
wiring (``ambition.bootstrap``) and the identity cipher (``ambition.identite``) live outside."""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import ambition.parcours

INTERDITS = ("kafka", "aiokafka", "faust", "mode", "fastapi", "starlette", "uvicorn", "httpx",
             "prometheus_client", "psycopg", "psycopg_pool", "sqlalchemy", "sqlite3",
             "cryptography")
PAQUET = Path(ambition.parcours.__file__).parent


def hors_du_domaine(nom: str) -> bool:
    """An infrastructure library, or a module of the platform that is not the domain."""
    racine = nom.split(".")[0]
    return racine in INTERDITS or (racine == "ambition" and nom != "ambition"
                                   and not nom.startswith("ambition.parcours"))


def imports(module: Path) -> list[str]:
    """Absolute names of what a module imports (relative imports resolved)."""
    paquet = ["ambition", *module.relative_to(PAQUET.parent).parts[:-1]]
    noms = []
    for noeud in ast.walk(ast.parse(module.read_text())):
        if isinstance(noeud, ast.Import):
            noms += [a.name for a in noeud.names]
        elif isinstance(noeud, ast.ImportFrom):
            base = paquet[:len(paquet) - noeud.level + 1] if noeud.level else []
            noms.append(".".join([*base, *([noeud.module] if noeud.module else [])]))
    return noms


def test_aucun_module_du_domaine_n_importe_l_infrastructure():
    for module in PAQUET.rglob("*.py"):
        for nom in imports(module):
            assert not hors_du_domaine(nom), f"{module.relative_to(PAQUET)} imports {nom}"


def test_importer_et_utiliser_le_domaine_ne_charge_aucune_infrastructure():
    code = ("import sys\n"
            "from ambition.parcours import ParcoursApp\n"
            "from ambition.parcours.exemples import fait\n"
            "class Coffre:\n"
            "    def chiffrer(self, payloads): return {pid: b'scelle' for pid in payloads}\n"
            "    def dechiffrer(self, parcours_id, donnees): return {}\n"
            "    def oublier(self, parcours_id): pass\n"
            "    def close(self): pass\n"
            "app = ParcoursApp(env={'PERSISTENCE_MODULE': 'eventsourcing.popo'}, coffre=Coffre())\n"
            "assert app.traiter_lot([fait('EleveInscrit')])[0].statut == 'ACCEPTE'\n"
            "print(sorted(sys.modules))\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    sortie = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, check=True)
    charges = ast.literal_eval(sortie.stdout)
    assert [m for m in charges if hors_du_domaine(m)] == []


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
