"""The parcours Ambition emploi: the domain (rules, aggregate) and its application.

Imports nothing of Kafka, Faust, HTTP or metrics; only the ``eventsourcing`` library.
"""
from ambition.parcours.aggregate import Parcours
from ambition.parcours.app import ParcoursApp
from ambition.parcours.calendrier import Calendrier
from ambition.parcours.configuration import make_app
from ambition.parcours.erreurs import Refus
from ambition.parcours.faits import Emetteur, Fait, Resultat

__all__ = ["Calendrier", "Emetteur", "Fait", "Parcours", "ParcoursApp", "Refus", "Resultat",
           "make_app"]
