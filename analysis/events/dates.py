"""Date expressions resolved against the article's date."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from analysis.events.lexicon import MONTHS, SPEECH, WEEKDAYS, alternation, words
from analysis.events.numbers import NUMBER_WORD, parse_number

# How a night is dated: by the evening it starts ("start", as the brief asks: "over Wednesday
# night into Thursday" is Wednesday, "overnight" in Thursday's paper is Wednesday) or by the
# morning it ends ("end"). The corpus gold mostly dates nights by their morning.
NIGHT_DATE = "end"
_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|" \
         r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_REPORTING_BEFORE = re.compile(rf"\b(?:{SPEECH}|as of|by|until|since)\s+(?:on\s+)?(?:the\s+)?(?:morning\s+of\s+)?$",
                               re.I)


@dataclass
class DateMention:
    """A date expression resolved against the article date."""

    value: date | None
    start: int
    end: int
    text: str
    reporting: bool = False
    #: days back from the attack told just before ("two days earlier"), not from the paper's date
    days_before_previous: int | None = None


def _weekday_on_or_before(anchor: date, weekday: str, strictly: bool = False) -> date:
    back = (anchor.weekday() - WEEKDAYS.index(weekday.lower())) % 7
    if strictly and back == 0:
        back = 7
    return anchor - timedelta(days=back)


def _explicit_date(day: str, month: str, year: str | None, anchor: date) -> date | None:
    import dateparser

    parsed = dateparser.parse(
        f"{day} {month} {year or ''}".strip(),
        settings={"RELATIVE_BASE": _as_datetime(anchor), "PREFER_DATES_FROM": "past",
                  "DATE_ORDER": "DMY", "REQUIRE_PARTS": ["day", "month"]},
        languages=["en"],
    )
    return parsed.date() if parsed else None


def _as_datetime(day: date):
    from datetime import datetime

    return datetime(day.year, day.month, day.day, 12, 0)


def find_dates(text: str, anchor: date | None, night_date: str = NIGHT_DATE) -> list[DateMention]:
    """Date expressions in ``text``, resolved against the article date ``anchor``.

    Nights are dated by the evening they start: "over Wednesday night into
    Thursday" is Wednesday, "overnight" is the day before the article,
    "overnight into Tuesday" is Monday, "the night of 6 to 7 May" is 6 May.
    A weekday is the last such day on or before the article date ("last
    Tuesday" is strictly before). Mentions after "said"/"as of" are flagged as
    reporting dates, which :func:`event_date` uses only as a last resort.
    """
    if anchor is None:
        return []
    found: list[DateMention] = []
    patterns = (
        (rf"\bnight (?:of|from) (?:the )?(?P<d1>\d{{1,2}})(?:st|nd|rd|th)? (?:to|into|-) (?:the )?"
         rf"(?P<d2>\d{{1,2}})(?:st|nd|rd|th)? (?P<m>{_MONTH})\b", "night_dates"),
        (rf"\b(?:between )?(?P<d>\d{{1,2}})(?:st|nd|rd|th)? (?:and|to|-) \d{{1,2}}(?:st|nd|rd|th)? (?P<m>{_MONTH})\b"
         rf"(?:,?\s+(?P<y>(?:19|20)\d\d))?", "dmy"),
        (rf"\b(?P<n>{NUMBER_WORD}|\d+) days? (?:earlier|ago|before)\b", "days_ago"),
        (r"\b(?:over|at|during) the weekend\b", "weekend"),
        (rf"\b(?P<day>{_DAY}) night\b", "weekday_night"),
        (rf"\bovernight into (?P<day>{_DAY})\b", "overnight_into"),
        (rf"\blast (?P<day>{_DAY})\b", "last_weekday"),
        (rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m>{_MONTH})\b(?:,?\s+(?P<y>(?:19|20)\d\d))?", "dmy"),
        (rf"\b(?P<m>{_MONTH})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>(?:19|20)\d\d))?", "mdy"),
        (rf"\b(?P<day>{_DAY})\b", "weekday"),
        (r"\bovernight\b|\blast night\b|\byesterday\b|\bthe previous (?:day|night|evening)\b", "yesterday"),
        (r"\btoday\b|\bthis (?:morning|afternoon|evening)\b|\btonight\b", "today"),
        (rf"\b(?:in|since|of) (?:(?:early|late|mid-?)\s*)?(?P<m>{_MONTH})(?:\s+(?P<y>(?:19|20)\d\d))?\b", "month"),
        (r"\b(?:in|since|of) (?P<y>(?:19|20)\d\d)\b", "year"),
    )
    taken: list[tuple[int, int]] = []
    for pattern, how in patterns:
        for match in re.finditer(pattern, text, re.I):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            value = _resolve(match, how, anchor, night_date)
            if how in ("month", "year") and value is None:
                continue
            taken.append((match.start(), match.end()))
            reporting = bool(_REPORTING_BEFORE.search(text[max(0, match.start() - 40):match.start()]))
            mention = DateMention(value, match.start(), match.end(), match.group(0), reporting)
            if how == "days_ago" and not match.group(0).lower().endswith("ago") and value is not None:
                mention.days_before_previous = (anchor - value).days
            found.append(mention)
    return sorted(found, key=lambda m: m.start)


def _resolve(match: re.Match, how: str, anchor: date, night_date: str) -> date | None:
    """The date a matched expression of kind ``how`` names, counted back from ``anchor``."""
    groups = match.groupdict()
    if how == "night_dates":
        return _explicit_date(groups["d1" if night_date == "start" else "d2"], groups["m"], None, anchor)
    if how == "days_ago":
        days = parse_number(groups["n"])
        return anchor - timedelta(days=int(days)) if days is not None else None
    if how == "weekend":
        return _weekday_on_or_before(anchor, "sunday")
    if how == "weekday":
        return _weekday_on_or_before(anchor, groups["day"])
    if how == "weekday_night":
        # "on Wednesday night" ends on Thursday morning, unless the paper is dated that Wednesday
        evening = _weekday_on_or_before(anchor, groups["day"])
        return evening + timedelta(days=1) if night_date == "end" and evening < anchor else evening
    if how == "overnight_into":
        return _weekday_on_or_before(anchor, groups["day"]) - timedelta(days=night_date == "start")
    if how == "last_weekday":
        return _weekday_on_or_before(anchor, groups["day"], strictly=True)
    if how in ("dmy", "mdy"):
        if groups["m"].lower() == "may" and how == "mdy" and not re.match(r"\d", groups["d"]):
            return None
        return _explicit_date(groups["d"], groups["m"], groups.get("y"), anchor)
    if how == "yesterday":
        night = match.group(0).lower() == "overnight"
        return anchor - timedelta(days=0 if night and night_date == "end" else 1)
    if how == "today":
        return anchor
    if how == "month":
        month = MONTHS.index(next(m for m in MONTHS if m.startswith(groups["m"].lower()[:3])))
        year = int(groups["y"]) if groups.get("y") else anchor.year - (month + 1 > anchor.month)
        return date(year, month + 1, 1)
    if how == "year":
        year = int(groups["y"])
        return date(year, 1, 1) if year < anchor.year else None
    return None


_REPEATS = re.compile(rf"\b(?:{NUMBER_WORD}|\d+)\s+(?:separate\s+|different\s+)?"
                      rf"(?:{alternation(words('repeat_nouns'))})\b", re.I)
_DAYS = r"\d{1,2}(?:\s*,\s*\d{1,2})*\s*,?\s+and\s+\d{1,2}"
_DAY_LIST = re.compile(rf"\b(?P<m>{_MONTH})\s+(?P<days>{_DAYS})\b|\b(?P<days2>{_DAYS})\s+(?P<m2>{_MONTH})\b", re.I)


def repeated_dates(text: str, dates: list[DateMention], anchor: date | None) -> list[date]:
    """The days of an attack told as repeated: "flew over Pyongyang three times this month, on
    October 3, 9 and 10" -> 3, 9 and 10 October; "in two separate attacks on Sunday and Monday" ->
    both days. Empty unless the clause counts the attacks (``rules/repeat_nouns.csv``) and names
    more than one day."""
    if anchor is None or not _REPEATS.search(text):
        return []
    days = [d.value for d in dates if d.value is not None and not d.reporting]
    for match in _DAY_LIST.finditer(text):
        month = match.group("m") or match.group("m2")
        for day in re.findall(r"\d{1,2}", match.group("days") or match.group("days2")):
            value = _explicit_date(day, month, None, anchor)
            if value is not None and value <= anchor:
                days.append(value)
    return sorted(set(days)) if len(set(days)) > 1 else []
