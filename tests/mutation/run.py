"""`make mutation`: mutation testing (mutmut) of the modules users depend on most, one at a time.

    .venv/bin/python tests/mutation/run.py                # every module of MODULES
    .venv/bin/python tests/mutation/run.py psad acces     # some of them
    .venv/bin/python tests/mutation/run.py --report       # the scores of the last runs, no run

Each module runs in its own staging directory, ``.mutation/<module>/`` (not versioned): the
packages are copied there as ``src/ambition`` and ``src/ambition_projections`` (the layout
mutmut imports from), with the tests, schemas and infra. mutmut keeps its results there, so a
second run only re-tests the functions that changed (incremental). Each module is tested
against the unit and integration tests that exercise it only (MODULES), never the e2e tier.
A score is (killed + timed out) / every mutant; survivors and mutants no test reaches count
against it. A mutant "timed out" when its tests used more than 10 x (their clean duration + 30 s) of CPU
(an endless loop, usually); the 30 s cover the fixtures, which mutmut does not time.
Runs are CPU-heavy: the Makefile starts this with ``nice -n 19``.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STAGING = ROOT / ".mutation"
GOAL = 0.80
# mutmut 3.8 needs click >= 8.4.2, faust-streaming click < 8.4: the Makefile installs mutmut
# (pinned in tests/mutation/requirements.txt) in its own virtualenv, .venv-mutation
PYTHON = Path(os.environ.get("MUTATION_PYTHON", ROOT / ".venv-mutation" / "bin" / "python"))

# module -> (files mutated, relative to services/ or projections/; tests that exercise them)
MODULES: dict[str, tuple[list[str], list[str]]] = {
    # the check that every reason code has a test reads regles.py as text: mutmut's copy holds
    # every mutant's literals, so it cannot run there
    # the stateful property test (15 s a run) is left out: the score is what the example-based
    # tests kill on their own
    "regles": (["ambition/parcours/regles.py", "ambition/parcours/regles_temps.py",
                "ambition/parcours/decisions.py", "ambition/parcours/decisions_lycee.py",
                "ambition/parcours/decisions_partenaires.py",
                "ambition/parcours/decisions_corrections.py", "ambition/parcours/verifications.py"],
               ["tests/unit/parcours", "--deselect",
                "tests/unit/parcours/test_domaine_sans_infrastructure.py::test_chaque_code_de_refus_a_son_test",
                "--deselect", "tests/unit/parcours/test_proprietes_parcours.py::TestParcoursAleatoire"]),
    "codec-signatures": (["ambition/contracts/codec.py", "ambition/contracts/signing.py"],
                         ["tests/unit/contracts"]),
    "acces": (["ambition/api/acces.py"], ["tests/integration/projections/test_matrice_acces.py"]),
    "psad": (["ambition_projections/psad.py"],
             ["tests/unit/projections", "tests/unit/parcours/test_constats_vues.py",
              "tests/integration/projections/test_vues_valeurs_connues.py",
              "-k", "not postgres"]),  # the figures do not depend on the store: SQLite only
    # the views' fold, against its unit tests only (the integration tests above also reach it,
    # but would make a run last an hour on 2 cores): a lower bound
    "suivi": (["ambition_projections/suivi.py"],
              ["tests/unit/projections", "tests/unit/parcours/test_constats_vues.py"]),
    # against the unit tests of the parking and the processor (SQLite, no broker: 2 s a run);
    # tests/integration/exchange/ checks the same on the real broker and PostgreSQL (30 s a run)
    "parking": (["ambition/ingest/processor.py", "ambition/ingest/parking.py"],
                ["tests/unit/ingest"]),
    "csv": (["ambition/sdk/csv_import.py"], ["tests/unit/sdk"]),
}
# Mutants no test can kill because they change nothing a user can observe: left out of the
# score (shown as "equivalent"), each with the reason. Keep this list short and honest.
# (mutmut numbers a function's mutants in order: re-check the list when such a function changes)
EQUIVALENT: dict[str, str] = {
    **{f"ambition_projections.psad.x_synthese__mutmut_{n}":
       "`issue:CODE` split at every colon or from the right: outcome codes hold no colon"
       for n in (165, 166, 168)},
    **{f"ambition.ingest.processor.xǁProcessorǁ_source__mutmut_{n}":
       "no rows given is read as one None row a message, as `[row]` with row None" for n in (2, 4)},
    "ambition.ingest.processor.xǁProcessorǁhandle__mutmut_4":
        "a success forgets its messages' failures with pop(key, None): nothing to forget is a no-op",
    **{f"ambition.ingest.processor.xǁProcessorǁhandle__mutmut_{n}":
       "Source's row defaults to None" for n in (60, 61, 62)},
    "ambition.ingest.processor.xǁProcessorǁ_handle__mutmut_11":
        "the parked facts of no key: an empty IN reads no row",
    "ambition.ingest.parking.xǁAttenteǁ_insert__mutmut_5":
        "on SQLite, PostgreSQL's INSERT ... ON CONFLICT (ref) DO NOTHING is the same statement",
    **{f"ambition.ingest.{name}__mutmut_1":
       "a default page size of 1001 rows instead of 1000: the rest is read by the next call"
       for name in ("processor.xǁProcessorǁbalayer", "parking.xǁAttenteǁparques",
                    "parking.xǁAttenteǁcles_parquees", "parking.xǁAttenteǁa_envoyer")},
}
DETECTED = {"killed", "timeout", "caught by type check", "segfault"}
# mutmut's exit codes of a mutant's test run (mutmut/__main__.py, status_by_exit_code)
STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped",
          35: "suspicious", 36: "timeout", 37: "caught by type check", -24: "timeout", 24: "timeout",
          152: "timeout", 255: "timeout", -11: "segfault", -9: "segfault", None: "not checked"}


def _copy(src: Path, dst: Path) -> None:
    """Copy a tree keeping modification times; unchanged files are left alone (incremental),
    files gone from the source are removed."""
    for path in src.rglob("*"):
        if "__pycache__" in path.parts or path.is_dir():
            continue
        target = dst / path.relative_to(src)
        if target.exists() and target.stat().st_mtime == path.stat().st_mtime \
                and target.stat().st_size == path.stat().st_size:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    for path in list(dst.rglob("*")) if dst.exists() else []:  # a file deleted or moved since
        if path.is_file() and not (src / path.relative_to(dst)).exists():
            path.unlink()


def stage(module: str) -> Path:
    files, tests = MODULES[module]
    d = STAGING / module
    _copy(ROOT / "services" / "ambition", d / "src" / "ambition")
    _copy(ROOT / "projections" / "ambition_projections", d / "src" / "ambition_projections")
    for extra in ("tests", "schemas", "infra", "docs"):
        _copy(ROOT / extra, d / extra)
    # mutmut's own copy (mutants/) keeps a source file deleted since: drop it and its results
    for path in list((d / "mutants").rglob("*")) if (d / "mutants").exists() else []:
        rel = path.relative_to(d / "mutants")
        origine = d / (str(rel)[:-len(".meta")] if path.suffix == ".meta" else rel)
        if path.is_file() and rel.parts[0] in ("src", "tests") and not origine.exists():
            path.unlink()
    pyproject = (ROOT / "pyproject.toml").read_text()
    pyproject += "\n[tool.mutmut]\n" + "\n".join([
        'source_paths = ["src"]',
        f"only_mutate = {json.dumps(['src/' + f for f in files])}",
        'also_copy = ["schemas", "infra", "docs"]',
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}",
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-p", "no:randomly"]',
        # mutmut times only a test's call, not its fixtures (a broker, a database, a cohort):
        # the constant covers them, or a slow setup would be counted a "timeout", i.e. killed
        "timeout_multiplier = 5.0",
        "timeout_constant = 30.0",
    ]) + "\n"
    if not (d / "pyproject.toml").exists() or (d / "pyproject.toml").read_text() != pyproject:
        (d / "pyproject.toml").write_text(pyproject)
    return d


def mutmut(d: Path, *args: str) -> int:
    """Run mutmut in the staging directory; its progress goes to .mutation/<module>/mutmut.log."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    with open(d / "mutmut.log", "w") as log:
        return subprocess.call([str(PYTHON), "-m", "mutmut", *args], cwd=d, env=env, stdout=log,
                               stderr=subprocess.STDOUT)


def _empreinte_tests(module: str) -> str:
    import hashlib

    h = hashlib.sha256()
    for path in sorted((ROOT / "tests").rglob("*.py")):
        h.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    return h.hexdigest()


def non_tues(module: str) -> list[str]:
    """Names of the module's mutants that survived (or had no test) at the last run."""
    names = []
    for f in MODULES[module][0]:
        meta = STAGING / module / "mutants" / "src" / (f + ".meta")
        if meta.exists():
            names += [k for k, code in json.loads(meta.read_text())["exit_code_by_key"].items()
                      if STATUS.get(code, "suspicious") not in DETECTED and k not in EQUIVALENT]
    return names


def lancer(module: str) -> None:
    """A run; when the tests changed since the last one, the survivors are tried again (mutmut
    keeps a verdict until the mutated function changes)."""
    empreinte = _empreinte_tests(module)
    d = stage(module)
    jobs = os.environ.get("MUTATION_JOBS", "1")
    marque = d / "tests.sha256"
    if not marque.exists():  # the tests a first run starts with (it may be interrupted)
        marque.write_text(empreinte)
    if mutmut(d, "run", "--max-children", jobs) != 0:
        print(f"   mutmut failed: see {d / 'mutmut.log'}")
        return
    survivants = non_tues(module)
    if survivants and marque.exists() and marque.read_text() != empreinte:
        print(f"   the tests changed: trying the {len(survivants)} survivors again", flush=True)
        stage(module)
        if mutmut(d, "run", "--max-children", jobs, *survivants) != 0:
            print(f"   mutmut failed: see {d / 'mutmut.log'}")
            return
    marque.write_text(empreinte)


def score(module: str) -> Counter:
    """Statuses of the module's mutants, from mutmut's own result files."""
    files, _ = MODULES[module]
    counts: Counter = Counter()
    for f in files:
        meta = STAGING / module / "mutants" / "src" / (f + ".meta")
        if not meta.exists():
            counts["not run"] += 1
            continue
        for key, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            status = STATUS.get(code, "suspicious")
            counts["equivalent" if key in EQUIVALENT and status not in DETECTED else status] += 1
    return counts


def ligne(module: str, counts: Counter) -> tuple[str, bool]:
    total = sum(v for k, v in counts.items() if k not in ("not run", "equivalent"))
    killed = sum(counts[s] for s in DETECTED)
    ratio = killed / total if total else 0.0
    autres = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())
                       if k not in DETECTED | {"survived", "no tests"})
    ok = total > 0 and ratio >= GOAL and not counts["not run"] and not counts["not checked"]
    return (f"| {module} | {', '.join(MODULES[module][0])} | {total} | {counts['killed']} | "
            f"{counts['timeout']} | {counts['survived']} | {counts['no tests']} | {ratio:.0%} | "
            f"{autres or '-'} |"), ok


def main(argv: list[str]) -> int:
    report_only = "--report" in argv
    modules = [a for a in argv if not a.startswith("--")] or list(MODULES)
    unknown = [m for m in modules if m not in MODULES]
    if unknown:
        print(f"unknown module(s) {unknown}: choose among {', '.join(MODULES)}")
        return 2
    for m in modules if not report_only else []:
        print(f"== {m}: mutating {', '.join(MODULES[m][0])} against {' '.join(MODULES[m][1])}", flush=True)
        lancer(m)
    print("\n| module | files mutated | mutants | killed | timed out | survived | no test | score "
          "| other |\n|---|---|---|---|---|---|---|---|---|")
    ok = True
    for m in modules:
        text, good = ligne(m, score(m))
        ok &= good
        print(text)
    print(f"\ngoal: {GOAL:.0%} of mutants killed in each module; survivors: "
          f"`cd .mutation/<module> && ../../.venv-mutation/bin/python -m mutmut results`, then "
          f"`... mutmut show <name>`")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
