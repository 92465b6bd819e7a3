"""Texts of service questions: an article's source, and the honest "I don't know"."""

from __future__ import annotations

from typing import Final

__all__ = ["KNOWLEDGE"]

KNOWLEDGE: Final[dict[str, dict[str, str]]] = {
    "kb_source": {
        "fi": "Lähde: {url}",
        "sv": "Källa: {url}",
        "en": "Source: {url}",
    },
    "kb_source_other_language": {
        "fi": "Lähde (sivu on {page_language}): {url}",
        "sv": "Källa (sidan är {page_language}): {url}",
        "en": "Source (the page is {page_language}): {url}",
    },
    # The language a linked page is written in, as the sentence above says it.
    "kb_in_fi": {"fi": "suomeksi", "sv": "på finska", "en": "in Finnish"},
    "kb_in_sv": {"fi": "ruotsiksi", "sv": "på svenska", "en": "in Swedish"},
    "kb_in_en": {"fi": "englanniksi", "sv": "på engelska", "en": "in English"},
    "kb_dont_know": {
        "fi": "En löydä tähän varmaa vastausta kaupungin ohjeista, enkä halua arvata.",
        "sv": "Jag hittar inget säkert svar på det här i stadens anvisningar, och jag vill "
        "inte gissa.",
        "en": "I can't find a reliable answer to that in the city's guidance, and I don't want "
        "to guess.",
    },
    "kb_maybe": {
        "fi": "Ehkä jokin näistä ohjeista auttaa:",
        "sv": "Kanske någon av de här anvisningarna hjälper:",
        "en": "Perhaps one of these helps:",
    },
    "kb_offer": {
        "fi": "Voin myös välittää kysymyksesi tiimille {team}. He vastaavat tässä "
        "keskustelussa, ja kerron, mihin mennessä.",
        "sv": "Jag kan också skicka din fråga till teamet {team}. De svarar här i samtalet, "
        "och jag berättar senast när.",
        "en": "I can also pass your question to the {team} team. They will answer in this "
        "chat, and I will tell you by when.",
    },
    "kb_button_read": {
        "fi": "Lue: {title}",
        "sv": "Läs: {title}",
        "en": "Read: {title}",
    },
    "kb_button_pass": {
        "fi": "Välitä tiimille {team}",
        "sv": "Skicka till teamet {team}",
        "en": "Pass it to {team}",
    },
    "kb_article_gone": {
        "fi": "Tätä ohjetta ei enää ole. Kysy uudelleen omin sanoin, niin etsin vastauksen.",
        "sv": "Den här anvisningen finns inte längre. Fråga igen med egna ord, så söker jag "
        "ett svar.",
        "en": "That guidance is no longer available. Ask again in your own words and I will "
        "look for an answer.",
    },
}
