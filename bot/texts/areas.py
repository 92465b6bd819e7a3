"""Texts about areas: subscribing to an area's notices, listing them, and linking a group."""

from __future__ import annotations

from typing import Final

__all__ = ["AREAS"]

AREAS: Final[dict[str, dict[str, str]]] = {
    "area_ask": {
        "fi": "Minkä alueen tiedotteet haluat? Kirjoita kaupunginosan nimi tai postinumero, "
        "esimerkiksi Kallio tai 00530.",
        "sv": "Vilket områdes meddelanden vill du ha? Skriv stadsdelens namn eller "
        "postnumret, till exempel Berghäll eller 00530.",
        "en": "Which area's notices would you like? Write the name of a district or a "
        "postcode, for example Kallio or 00530.",
    },
    "area_unknown": {
        "fi": "En tunne aluetta ”{words}”. Kirjoita Helsingin, Espoon, Vantaan tai Tampereen "
        "kaupunginosan nimi tai postinumero (myös Kauniainen ja Lahti), esimerkiksi Kallio "
        "tai 00530.",
        "sv": "Jag känner inte till området ”{words}”. Skriv namnet på en stadsdel i "
        "Helsingfors, Esbo, Vanda eller Tammerfors, eller ett postnummer (även Grankulla och "
        "Lahtis), till exempel Berghäll eller 00530.",
        "en": "I don't know the area “{words}”. Write the name of a district of Helsinki, "
        "Espoo, Vantaa or Tampere, or a postcode (Kauniainen and Lahti too), for example "
        "Kallio or 00530.",
    },
    "area_which": {
        "fi": "Mitä näistä alueista tarkoitat?",
        "sv": "Vilket av de här områdena menar du?",
        "en": "Which of these areas do you mean?",
    },
    "area_subscribed": {
        "fi": "Selvä! Lähetän sinulle tiedotteet alueelta {area}. Tilauksesi näet komennolla "
        "/alueet.",
        "sv": "Klart! Jag skickar dig meddelanden för området {area}. Dina prenumerationer "
        "ser du med kommandot /omraden.",
        "en": "Done! I will send you the notices for {area}. See your subscriptions with /areas.",
    },
    "area_already": {
        "fi": "Saat jo tiedotteet alueelta {area}.",
        "sv": "Du får redan meddelanden för området {area}.",
        "en": "You already get the notices for {area}.",
    },
    "area_limit": {
        "fi": "Voit tilata enintään {limit} alueen tiedotteet. Lopeta ensin jonkin alueen "
        "tilaus (/alueet).",
        "sv": "Du kan prenumerera på högst {limit} områden. Avsluta först någon av dem (/omraden).",
        "en": "You can subscribe to at most {limit} areas. Stop one of them first (/areas).",
    },
    "area_unsubscribed": {
        "fi": "Selvä, en lähetä enää tiedotteita alueelta {area}.",
        "sv": "Okej, jag skickar inte längre meddelanden för området {area}.",
        "en": "All right, I will no longer send you the notices for {area}.",
    },
    "area_not_subscribed": {
        "fi": "Et ole tilannut alueen {area} tiedotteita.",
        "sv": "Du prenumererar inte på meddelanden för området {area}.",
        "en": "You have not subscribed to the notices for {area}.",
    },
    "area_unsubscribe_which": {
        "fi": "Minkä alueen tiedotteet lopetetaan?",
        "sv": "Vilket områdes meddelanden ska jag sluta skicka?",
        "en": "Which area's notices should I stop?",
    },
    "areas_none": {
        "fi": "Et ole tilannut minkään alueen tiedotteita. Tilaa kirjoittamalla esimerkiksi "
        "”tilaa Kallion tiedotteet”.",
        "sv": "Du prenumererar inte på något områdes meddelanden. Skriv till exempel "
        "”prenumerera på Berghäll”.",
        "en": "You have not subscribed to any area's notices. Write for example “subscribe "
        "to Kallio notices”.",
    },
    "areas_list": {
        "fi": "Saat tiedotteet näiltä alueilta:\n{areas}\nLopeta tilaus napista.",
        "sv": "Du får meddelanden för de här områdena:\n{areas}\nAvsluta med knappen.",
        "en": "You get the notices for these areas:\n{areas}\nStop one with its button.",
    },
    "button_area_unsubscribe": {
        "fi": "Lopeta: {area}",
        "sv": "Avsluta: {area}",
        "en": "Stop: {area}",
    },
    "notices_ask": {
        "fi": "Minkä alueen tiedotteet haluat nähdä? Kirjoita alueen nimi tai postinumero, "
        "esimerkiksi ”mitä Kalliossa tiedotetaan”.",
        "sv": "Vilket områdes meddelanden vill du se? Skriv områdets namn eller postnummer, "
        "till exempel ”vad meddelas i Berghäll”.",
        "en": "Which area's notices would you like to see? Write the area's name or postcode, "
        "for example “what is announced in Kallio”.",
    },
    "notices_none": {
        "fi": "Alueella {areas} ei ole nyt voimassa olevia tiedotteita.",
        "sv": "Det finns inga aktuella meddelanden för {areas} just nu.",
        "en": "There are no current notices for {areas} right now.",
    },
    "notices_intro": {
        "fi": "Voimassa olevat tiedotteet ({areas}), uusin ensin:",
        "sv": "Aktuella meddelanden ({areas}), det senaste först:",
        "en": "Current notices ({areas}), newest first:",
    },
    "group_linked": {
        "fi": "Tämä ryhmä saa nyt alueen {area} tiedotteet.",
        "sv": "Den här gruppen får nu meddelanden för {area}.",
        "en": "This group now receives notices for {area}.",
    },
    "group_link_refused": {
        "fi": "Koodi ei kelpaa. Pyydä uusi koodi kaupungin viestinnältä.",
        "sv": "Koden gäller inte. Be stadens kommunikation om en ny kod.",
        "en": "That code is not valid. Ask the city's communications for a new one.",
    },
}
