"""Stored events back to the library's domain-event objects, faster, for bulk readers.

The eventsourcing library's mapper decodes a stored event's state with the standard `json`
module and an object hook (its `JSONTranscoder`), then makes the event object. `Decodeur`
gives the same object, of the same class with the same attributes, but parses the state with
orjson and applies the application's own transcodings (``{"_type_": name, "_data_": ...}``)
to the values that are JSON objects or arrays, as the library's hook would, innermost first.

It steps aside for the library whenever it could differ: a cipher or a compressor on the
mapper, a transcoder that is not JSON, an event class with a ``class_version`` (upcasting), a
state orjson does not take (NaN, an infinity), a transcoding it does not know, or any number
orjson gives as a float (it reads an integer beyond 64 bits as a float, where the standard
module keeps it whole; the domain's events hold no float): those events go through
``mapper.to_domain_event`` as before.
"""
from __future__ import annotations

import orjson
from eventsourcing.persistence import JSONTranscoder, Mapper, StoredEvent, find_id_convertor
from eventsourcing.utils import resolve_topic


class _Flottant(Exception):
    """A number orjson read as a float: the library reads the state instead."""


class Decodeur:
    def __init__(self, mapper: Mapper):
        self.mapper = mapper
        transcoder = mapper.transcoder
        self.direct = (mapper.cipher is None and mapper.compressor is None
                       and type(transcoder) is JSONTranscoder)
        self._noms = dict(transcoder.names) if self.direct else {}
        self._classes: dict[str, type | None] = {}

    def _classe(self, topic: str) -> type | None:
        """The event class of a topic, or None when its events are to be upcast."""
        try:
            return self._classes[topic]
        except KeyError:
            cls = resolve_topic(topic)
            self._classes[topic] = cls if getattr(cls, "class_version", 1) == 1 else None
            return self._classes[topic]

    def _valeur(self, v):
        """A JSON value as the library's hook leaves it (an object's inner values first: its
        keys do not change with them, so the transcoded ones are told at once)."""
        t = type(v)
        if t is list:
            return [self._valeur(x) for x in v]
        if t is dict:
            if len(v) == 2 and "_type_" in v and "_data_" in v:
                return self._noms[v["_type_"]].decode(self._valeur(v["_data_"]))
            return {k: self._valeur(x) for k, x in v.items()}
        if t is float:
            raise _Flottant
        return v

    def __call__(self, stored: StoredEvent):
        """The domain event of `stored`, as ``mapper.to_domain_event(stored)`` makes it."""
        cls = self._classe(stored.topic) if self.direct else None
        if cls is None:
            return self.mapper.to_domain_event(stored)
        try:
            state = orjson.loads(stored.state)
            for k, v in state.items():
                t = type(v)
                if t is dict or t is list:
                    state[k] = self._valeur(v)
                elif t is float:
                    raise _Flottant
        except (orjson.JSONDecodeError, KeyError, AttributeError, _Flottant):
            return self.mapper.to_domain_event(stored)  # the library decides, or says why not
        if "class_version" in state:
            return self.mapper.to_domain_event(stored)
        pid = stored.originator_id
        state["originator_id"] = find_id_convertor(cls, type(pid))(pid)
        state["originator_version"] = stored.originator_version
        event = object.__new__(cls)
        object.__setattr__(event, "__dict__", state)
        return event
