"""Partner SDK: typed, signing producers for each partner type, and a domain-event consumer."""
from .base import EnvoiImpossible, EvenementInvalide, PartnerProducer
from .foquale import FoqualeProducer
from .lycee import LyceeProducer
from .missionlocale import MissionLocaleProducer

PRODUCERS = {"LYCEE": LyceeProducer, "MISSION_LOCALE": MissionLocaleProducer, "FOQUALE": FoqualeProducer}

__all__ = ["EnvoiImpossible", "EvenementInvalide", "PartnerProducer", "LyceeProducer",
           "MissionLocaleProducer", "FoqualeProducer", "PRODUCERS"]
