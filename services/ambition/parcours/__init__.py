"""The parcours Ambition emploi: the domain (rules, aggregate) and its application.

Imports nothing of Kafka, Faust, HTTP, SQL, metrics or cryptography, nor of the platform outside
itself; only the ``eventsourcing`` library. ``ambition.bootstrap.make_app`` wires it to its store
(``ambition.stockage``) and its identity cipher (``ambition.identite.coffre``).
"""
from ambition.parcours.aggregate import Parcours
from ambition.parcours.app import ParcoursApp
from ambition.parcours.calendrier import Calendrier
from ambition.parcours.erreurs import Refus
from ambition.parcours.faits import Emetteur, Fait, Resultat

__all__ = ["Calendrier", "Emetteur", "Fait", "Parcours", "ParcoursApp", "Refus", "Resultat"]
