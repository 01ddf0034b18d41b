"""Authentication (bearer token -> actor) and the rule of least privilege: an actor reads its
own rows only. Handlers call these checks; they decide nothing else."""
from __future__ import annotations

from dataclasses import dataclass

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ambition import metrics

bearer = HTTPBearer(auto_error=False, description="One token per actor (lycée, mission locale, "
                    "Foquale/MLDS network, PSAD coordinator): see README, API tokens.")


@dataclass(frozen=True)
class Acteur:
    id: str  # lycee:<UAI> | ml:<SIRET> | foquale:<code> | psad:<territoire> | psad:national

    @property
    def type(self) -> str:
        return self.id.split(":", 1)[0]

    @property
    def identifiant(self) -> str:
        return self.id.split(":", 1)[1]


def acteur(request: Request, cred: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Acteur:
    found = request.app.state.jetons.acteur(cred.credentials if cred else None)
    debit = request.app.state.debit
    if found is None:
        debit.compter(f"adresse:{request.client.host if request.client else '?'}")
        metrics.API_DENIED.labels("unauthenticated").inc()
        raise HTTPException(401, "missing or unknown bearer token: send 'Authorization: Bearer <token>'",
                            headers={"WWW-Authenticate": "Bearer"})
    debit.compter(found)
    request.state.acteur = found  # for the trace of personal-data reads (journal)
    return Acteur(found)


def interdit(message: str) -> HTTPException:
    metrics.API_DENIED.labels("forbidden").inc()
    return HTTPException(403, message)


def exiger(a: Acteur, type_: str, identifiant: str) -> None:
    """The actor must be this one (e.g. the lycée whose élèves are asked for)."""
    if a.id != f"{type_}:{identifiant}":
        raise interdit(f"{a.id} may not read the data of {type_}:{identifiant}")


def territoire_psad(a: Acteur, demande: str | None) -> str | None:
    """The territory a PSAD coordinator reads: its own; a national one chooses (None = all)."""
    if a.type != "psad":
        raise interdit(f"{a.id} is not a PSAD coordinator")
    if a.identifiant == "national":
        return demande or None
    if demande and demande != a.identifiant:
        raise interdit(f"{a.id} may not read territory {demande}")
    return a.identifiant


def lisible_jusqu_a(a: Acteur, acteurs: dict) -> tuple[bool, int | None]:
    """Whether `a` may read this parcours number's timeline, and up to which version (None:
    all of it). Its readers: its lycée and mission locale (a former one, up to the move), the
    Foquale/MLDS networks that acted on it, the PSAD of its territory (and national)."""
    if (a.id == f"lycee:{acteurs['uai']}" or a.id in acteurs["foquale"]
            or a.id in ("psad:national", f"psad:{acteurs['territoire']}")):
        return True, None
    for siret, jusqu_a in (acteurs.get("missions_locales") or {}).items():
        if a.id == f"ml:{siret}":
            return True, jusqu_a
    return False, None
