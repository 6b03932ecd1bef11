"""The words people use for kinds of sites and actions and for funnel stages.

The labels are those of docs/architecture.md, "Interface vocabulary".
"""

from __future__ import annotations

from typing import Any

from territory.io._schema import ACTION_KINDS, SITE_KINDS, STAGES
from territory.io._values import as_text, normalise, parse_choice

__all__ = ["action_kind", "site_kind", "stage"]

SITE_LABELS = {"siege": "siège", "antenne": "antenne", "permanence": "permanence",
               "partenaire": "partenaire"}
ACTION_LABELS = {"maraude": "maraude", "bus": "bus / permanence mobile",
                 "evenement": "événement", "partenaire": "structure partenaire",
                 "numerique": "action numérique"}
STAGE_LABELS = {"repere": "repéré", "mobilise": "mobilisé",
                "accompagne": "accompagné (orienté vers le droit commun)"}

_SITES = {
    "siege": "siege", "siege social": "siege", "head office": "siege", "antenne": "antenne",
    "permanence": "permanence", "partenaire": "partenaire", "structure partenaire": "partenaire",
    "site partenaire": "partenaire", "lieu partenaire": "partenaire",
}
_SITE_WORDS = (
    (("siege",), "siege"), (("antenne",), "antenne"), (("permanence",), "permanence"),
    (("partenaire",), "partenaire"), (("partenariat",), "partenaire"),
)
_ACTIONS = {
    "maraude": "maraude", "maraude physique": "maraude", "maraude de rue": "maraude",
    "travail de rue": "maraude", "bus": "bus", "bus permanence mobile": "bus",
    "permanence mobile": "bus", "bus mobile": "bus", "camion": "bus", "evenement": "evenement",
    "event": "evenement", "stand": "evenement", "forum": "evenement",
    "partenaire": "partenaire", "structure partenaire": "partenaire",
    "chez un partenaire": "partenaire", "numerique": "numerique",
    "action numerique": "numerique", "maraude numerique": "numerique",
    "reseaux sociaux": "numerique", "en ligne": "numerique", "online": "numerique",
}
# Tried in this order, so that "maraude numérique" is an online action, not street work.
_ACTION_WORDS = (
    (("numerique",), "numerique"), (("reseau",), "numerique"), (("ligne",), "numerique"),
    (("online",), "numerique"), (("digital",), "numerique"), (("visio",), "numerique"),
    (("bus",), "bus"), (("mobile",), "bus"), (("itinerant",), "bus"),
    (("maraude",), "maraude"), (("rue",), "maraude"),
    (("evenement",), "evenement"), (("forum",), "evenement"), (("salon",), "evenement"),
    (("festival",), "evenement"), (("manifestation",), "evenement"),
    (("tournoi",), "evenement"), (("stand",), "evenement"),
    (("partenaire",), "partenaire"), (("partenariat",), "partenaire"),
)
_STAGES = {
    "repere": "repere", "reperage": "repere", "identifie": "repere",
    "mobilise": "mobilise", "mobilisation": "mobilise", "remobilise": "mobilise",
    "accompagne": "accompagne", "accompagnement": "accompagne",
    "entre en accompagnement": "accompagne", "oriente": "accompagne",
    "orientation": "accompagne", "oriente vers le droit commun": "accompagne",
    "droit commun": "accompagne",
}

assert set(_SITES.values()) <= set(SITE_KINDS)
assert set(_ACTIONS.values()) <= set(ACTION_KINDS)
assert set(_STAGES.values()) <= set(STAGES)


def site_kind(value: Any) -> str:
    """Return the contract's kind of site for a label (``"Siège"`` -> ``"siege"``)."""
    return parse_choice(value, _SITES, keywords=_SITE_WORDS, what="a kind of site",
                        labels=SITE_LABELS)


def action_kind(value: Any) -> str:
    """Return the contract's kind of action (``"Bus / permanence mobile"`` -> ``"bus"``).

    Examples
    --------
    >>> action_kind("Maraude numérique"), action_kind("Événement")
    ('numerique', 'evenement')
    """
    return parse_choice(value, _ACTIONS, keywords=_ACTION_WORDS, what="a kind of action",
                        labels=ACTION_LABELS)


def stage(value: Any) -> str:
    """Return the funnel stage (``"Repérée"`` -> ``"repere"``, ``"Orienté"`` -> ``"accompagne"``).

    Examples
    --------
    >>> stage("Repérée"), stage("MOBILISÉS"), stage("orienté")
    ('repere', 'mobilise', 'accompagne')
    """
    key = " ".join(_singular(w) for w in normalise(as_text(value)).split())
    if key in _STAGES:
        return _STAGES[key]
    return parse_choice(value, _STAGES, what="a stage of the funnel", labels=STAGE_LABELS)


def _singular(word: str) -> str:
    """Masculine singular of a participle: repérées -> repere, mobilisés -> mobilise."""
    if word.endswith("s") and len(word) > 4:
        word = word[:-1]
    if word.endswith("ee"):
        word = word[:-1]
    return word
