"""Tests for geo.classify: a table of real-style sentences, the actor rule, precedence, the lexicon file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.classify import classify_mention, margin_confidence, rank_categories
from geo.cues import CUE_CATEGORIES, LEXICON_FILE, cue_tokens, load_lexicon, parse_lexicon, scan_sentence
from geo.models import Category, Classification
from geo.roles import actor_verb, decide_actor

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

DEP, FRONT, DIP, MIG, OTHER = (Category.DEPLOYMENT, Category.FRONT_LINE, Category.DIPLOMACY,
                               Category.MIGRATION, Category.OTHER)


class Case(NamedTuple):
    sentence: str
    place: str  # the mention's surface; its first occurrence unless `occurrence` says otherwise
    expected: Category
    cue: str | None = None  # the expected cue, when the case is about which cue decides
    occurrence: int = 0
    seed: bool = False  # copied literally from seeds/*.txt


def span(case: Case) -> tuple[int, int]:
    start = -1
    for _ in range(case.occurrence + 1):
        start = case.sentence.index(case.place, start + 1)
    return start, start + len(case.place)


CASES = [
    # --- seed sentences, copied literally -----------------------------------------------------------
    Case("Fresh footage shows the Russian tanks on\u00a0manoeuvres in a region bordering Ukraine.",
         "Ukraine", DEP, seed=True),
    Case("Kiev’s intelligence chief recently warned Russia could invade by the end of January with a "
         "massive assault across ten fronts.", "Kiev", DIP, "actor:warned", seed=True),
    Case("Kiev’s intelligence chief recently warned Russia could invade by the end of January with a "
         "massive assault across ten fronts.", "Russia", DEP, seed=True),
    Case("It would then be followed by a mass assault across the border, amphibious landings in Odessa "
         "and Mariupol, and a smaller attack from neighbouring Belarus.", "Odessa", DEP,
         "amphibious landings", seed=True),
    Case("It would then be followed by a mass assault across the border, amphibious landings in Odessa "
         "and Mariupol, and a smaller attack from neighbouring Belarus.", "Mariupol", DEP, seed=True),
    Case("Russia however has always denied any aggressive intentions towards Ukraine – branding reports "
         "as \"hysteria\".", "Russia", OTHER, "actor:denied", seed=True),
    Case("Ukraine and the rebels signed a new ceasefire in July 2020 – but clashes have been steadily "
         "increasing again throughout 2021.", "Ukraine", FRONT, seed=True),
    Case("Russian foreign ministry spokeswoman Maria Zakharova said US embassy staff who have been in "
         "Moscow for more than three years were being ordered to fly home by January 31.", "Moscow", DIP,
         seed=True),
    Case("The US embassy in Moscow is the last operational US mission in the country, which has shrunk "
         "to 120 staff from about 1,200 in early 2017.", "Moscow", DIP, "embassy", seed=True),
    Case("Six US fighter jets arrived in Estonia to boost the NATO mission there.", "Estonia", DEP,
         seed=True),
    Case("The F-15E jets arrived at the Amari base in northwest Estonia to take part in an exercise along "
         "with four Danish jets due to arrive in Lithuania on Thursday.", "Lithuania", DEP, seed=True),
    Case("Meanwhile, Ukraine’s foreign minister has said Moscow’s buildup of troops near its border is "
         "“insufficient for a full-scale offensive”, a day after the embattled country’s president called "
         "for calm over the crisis.", "Moscow", DEP, "buildup", seed=True),
    Case("Meanwhile, Ukraine’s foreign minister has said Moscow’s buildup of troops near its border is "
         "“insufficient for a full-scale offensive”, a day after the embattled country’s president called "
         "for calm over the crisis.", "Ukraine", DIP, "official:foreign minister", seed=True),
    Case("Washington and its allies warn the Kremlin may be readying an imminent incursion, but Moscow has "
         "repeatedly stated it has no plans to attack its neighbour.", "Washington", DIP, "actor:warn",
         seed=True),
    Case("Washington and its allies warn the Kremlin may be readying an imminent incursion, but Moscow has "
         "repeatedly stated it has no plans to attack its neighbour.", "Moscow", OTHER, "actor:stated",
         seed=True),
    Case("Czechs to donate 4,000 artillery shells to Ukraine", "Ukraine", DEP, seed=True),
    Case("Ukrainian servicemen walk to their position at the frontline with with Russia-backed "
         "separatists outside Verkhnotoretske village in Yasynuvata district of Donetsk region, eastern "
         "Ukraine [File: Andriy Andriyenko/AP Photo]", "Verkhnotoretske", FRONT, seed=True),
    Case("Ukrainian servicemen check the situation at the positions on a front line near the Avdiivka "
         "village, not far from pro-Russian militants controlled city of Donetsk, Ukraine, 25 January 2022 "
         "[Stanislav Kozliuk/EPA]", "Avdiivka", FRONT, "front line", seed=True),
    Case("Romania is in talks with the US and France over ways to enhance their troop count in the "
         "country and is ready to host an increased NATO military presence, President Klaus Iohannis has "
         "said.", "Romania", DIP, "talks", seed=True),
    Case("Ukraine’s ambassador to Germany has criticised Berlin’s promise to send 5,000 combat helmets to "
         "Ukraine as a “purely symbolic gesture”.", "Germany", DIP, "ambassador", seed=True),
    Case("Lavrov met with US Secretary of State Antony Blinken in Geneva, Switzerland, on January 21, and "
         "Russia has submitted “concrete requests,” he said.", "Geneva", DIP, seed=True),
    # mixed sentence: the diplomat is in Ukraine, the arms are further away
    Case("Later on Wednesday Kristina Kvien, the top US diplomat in Ukraine, told CNN’s Sam Kiley that "
         "arms shipped to the country on Wednesday are ready to be deployed.", "Ukraine", DIP, "diplomat",
         seed=True),
    Case("As part of the drills, motorized infantry and artillery units in southwestern Russia practiced "
         "firing live ammunition, warplanes in Kaliningrad on the Baltic Sea performed bombing runs, "
         "dozens of warships sailed for training exercises in the Black Sea and the Arctic, and Russian "
         "fighter jets and paratroopers arrived in Belarus for joint war games.", "Kaliningrad", DEP,
         seed=True),
    Case("As part of the drills, motorized infantry and artillery units in southwestern Russia practiced "
         "firing live ammunition, warplanes in Kaliningrad on the Baltic Sea performed bombing runs, "
         "dozens of warships sailed for training exercises in the Black Sea and the Arctic, and Russian "
         "fighter jets and paratroopers arrived in Belarus for joint war games.", "Belarus", DEP,
         seed=True),
    Case("Amid the tensions, the U.S., Britain, Australia, Germany and Canada have moved to "
         "withdraw some of their diplomats and dependents from Kyiv, a move that Zelenskyy sought to play "
         "down Tuesday as part of a “complex diplomatic game.”", "Kyiv", DIP, seed=True),
    Case("Presidential advisers from Russia, Ukraine, France and Germany were in Paris to discuss ways to "
         "revive a stalled peace agreement for eastern Ukraine .", "Paris", DIP, seed=True),
    Case("Kremlin spokesman Dmitry Peskov said Moscow expects a “good frank” talk at the Paris meeting.",
         "Paris", DIP, "meeting", seed=True),
    Case("Kremlin spokesman Dmitry Peskov said Moscow expects a “good frank” talk at the Paris meeting.",
         "Moscow", DIP, seed=True),
    Case("Russia accuses Ukraine of planning to retake the areas controlled by the rebels — something "
         "Kyiv denies.", "Russia", DIP, "actor:accuses", seed=True),
    Case("Russia accuses Ukraine of planning to retake the areas controlled by the rebels — something "
         "Kyiv denies.", "Kyiv", OTHER, "actor:denies", seed=True),
    Case("Migrants gather at the Belarus-Poland border near Grodno, Belarus.", "Grodno", MIG, seed=True),
    Case("Meanwhile, the Polish Border Force has reported that Belarusian soldiers engineered two mass "
         "migrant incursions into Poland last night near the towns of Dubicze Cerkiewne and Kolonia "
         "Klulowicze, away from the main focus Poland’s defences.", "Poland", MIG, "migrant", seed=True),
    Case("Belarus denies the allegations but says it will no longer stop refugees and migrants from "
         "trying to enter the EU.", "Belarus", OTHER, "actor:denies", seed=True),
    Case("The Belarusian defence ministry has accused Poland of an ‘unprecedented’ military build-up on "
         "the border, saying migration control did not warrant the concentration of 15,000 troops backed "
         "by tanks, air defence assets and other weapons.", "Poland", DEP, "build up", seed=True),
    Case("‘Yesterday we recorded 223 attempts to illegally cross the border from Belarus.", "Belarus", MIG,
         seed=True),
    Case("Belarus responded by easing its border controls for migrants from the Middle East and Africa, "
         "allowing them to head for the EU frontier and forcing Poland, Latvia and Lithuania to declare a "
         "state of emergency in their border zones to halt illegal crossings.", "Latvia", MIG,
         "state of emergency", seed=True),
    Case("Belarus responded by easing its border controls for migrants from the Middle East and Africa, "
         "allowing them to head for the EU frontier and forcing Poland, Latvia and Lithuania to declare a "
         "state of emergency in their border zones to halt illegal crossings.", "Middle East", MIG,
         seed=True),
    Case("Tensions at the border escalated further this week after Russian paratroopers deployed on the "
         "Belarusian side of the border, triggering Poland to move a 15,000 strong battalion (pictured) to "
         "reinforce the integrity of their checkpoints", "Poland", DEP, seed=True),
    Case("Footage released by the Polish Defence Ministry on November 13, 2021 is believed to show "
         "Belarusian forces deploying near the Kuznica border crossing", "Kuznica", DEP, "deploying",
         seed=True),
    Case("Her comments come after a small team of British armed forces personnel was deployed to Poland "
         "amid growing tension at the border.", "Poland", DEP, "deployed", seed=True),
    Case("As foreign ministers gathered in Latvia to talk about the military alliance's contingencies for "
         "a potential Russian invasion, Nato countries warned against further aggression against "
         "Ukraine.", "Latvia", DIP, seed=True),
    Case("Since 2017, Nato has deployed four international battalion groups to Poland and the Baltic "
         "countries of Estonia, Latvia, and Lithuania in order to deter Russia from launching an attack.",
         "Poland", DEP, seed=True),
    Case("Britain's foreign secretary, Liz Truss, met British soldiers stationed in Estonia on Tuesday.",
         "Estonia", DEP, "stationed", seed=True),
    Case("On Monday, Minsk announced it would hold joint military exercises with Russia on the southern "
         "border of Belarus.", "Minsk", DEP, "military exercises", seed=True),
    Case("On Monday, Minsk announced it would hold joint military exercises with Russia on the southern "
         "border of Belarus.", "Belarus", DEP, seed=True),
    Case("Belarus has threatened to join Russia if war breaks out with Ukraine.", "Belarus", DIP,
         "actor:threatened", seed=True),
    Case("On Sunday, they said two civilians were killed near the village of Pionerskoye.", "Pionerskoye",
         FRONT, "killed", seed=True),
    Case("Russian state media said more than 30,000 people from Donetsk and Luhansk entered Russia in the "
         "past 24 hours.", "Donetsk", MIG, seed=True),
    Case("They include a car bomb on Friday outside the separatist administration building in Donetsk, an "
         "“attack” on a water plant and a “shell” that landed across the border in Russia’s Rostov "
         "region.", "Donetsk", FRONT, seed=True),
    Case("They include a car bomb on Friday outside the separatist administration building in Donetsk, an "
         "“attack” on a water plant and a “shell” that landed across the border in Russia’s Rostov "
         "region.", "Rostov", FRONT, seed=True),
    Case("Meanwhile, the Dutch Foreign Ministry said it was moving its embassy from Kiev to the western "
         "city of Lviv “for security reasons”.", "Lviv", DIP, seed=True),
    Case("The French ambassador to Kiev said on Saturday that he was staying put.", "Kiev", DIP,
         "ambassador", seed=True),
    Case("Russian troops will stay indefinitely, Belarus says, as fears grow of Ukraine invasion | Ukraine",
         "Belarus", DIP, "actor:says", seed=True),
    Case("The Kremlin had promised to withdraw its forces from Belarus once the 10-day exercise, which "
         "began on February 10, is over.", "Belarus", DEP, seed=True),
    Case("Russian forces are stationed near the Belarusian border and within striking distance of Kiev, "
         "260 km.", "Kiev", DEP, seed=True),
    Case("The situation in Kyiv and other Ukrainian cities remained calm on Sunday.", "Kyiv", OTHER, "",
         seed=True),
    Case("Protesters took to the streets of Odessa, a Black Sea port city, waving blue and yellow "
         "Ukrainian flags.", "Odessa", OTHER, "", seed=True),
    Case("Ukraine believes Russia was ultimately behind that cyberattack, which Moscow denies.", "Ukraine",
         DIP, "actor:believes", seed=True),
    Case("Ukraine believes Russia was ultimately behind that cyberattack, which Moscow denies.", "Russia",
         OTHER, "attribution:was ultimately behind", seed=True),
    Case("Ukraine believes Russia was ultimately behind that cyberattack, which Moscow denies.", "Moscow",
         OTHER, "actor:denies", seed=True),
    Case("Moscow has dismissed such suggestions as inflammatory and complained about increasing activity "
         "in the region by the NATO transatlantic alliance, but satellite images released by US company "
         "Maxar Technologies have revealed thousands of armoured Russian units and troops massing in towns "
         "near the Belarusian and Ukrainian borders.", "Moscow", OTHER, "actor:dismissed", seed=True),
    Case("Vladimir Putin has warned Nato countries that deploying troops or weapons to Ukraine would be a "
         "red line for Russia and cause a strong response, including a potential deployment of Russian "
         "missiles targeting Europe.", "Ukraine", DEP, seed=True),
    # --- written for the tests ------------------------------------------------------------------------
    Case("Russia denies massing troops near Ukraine.", "Russia", OTHER, "actor:denies"),
    Case("Russia denies massing troops near Ukraine.", "Ukraine", OTHER, "denied:denies"),
    Case("Kyiv said shelling continued near Avdiivka.", "Kyiv", DIP, "actor:said"),
    Case("Kyiv said shelling continued near Avdiivka.", "Avdiivka", FRONT, "shelling"),
    Case("Kyiv said talks with Moscow would resume next week.", "Kyiv", DIP, "talks"),
    Case("Russia warned NATO against further expansion.", "Russia", DIP, "actor:warned"),
    Case("Ukraine's foreign minister said the talks in Geneva were constructive.", "Geneva", DIP,
         "venue:talks in"),
    Case("Mortar fire hit Marinka overnight, wounding two soldiers.", "Marinka", FRONT, "mortar fire"),
    Case("The OSCE monitors recorded 1,400 ceasefire violations near Horlivka.", "Horlivka", FRONT,
         "ceasefire violations"),
    Case("Hundreds of refugees crossed into Poland at Medyka on Sunday.", "Medyka", MIG, "refugees"),
    Case("Lithuania declared a state of emergency on its border with Belarus.", "Lithuania", MIG,
         "state of emergency"),
    Case("Ukrainian forces evacuated civilians from Shchastia through a humanitarian corridor.",
         "Shchastia", MIG),
    Case("Russian tanks were seen moving through Klintsy towards the border.", "Klintsy", DEP),
    Case("Paratroopers landed at the Machulishchy air base near Minsk for joint drills.", "Minsk", DEP),
    Case("Saboteurs blew up a gas pipeline near Luhansk in what Kyiv called a false flag operation.",
         "Luhansk", FRONT),
    Case("Saboteurs blew up a gas pipeline near Luhansk in what Kyiv called a false flag operation.",
         "Kyiv", DIP, "actor:called"),
    Case("Moscow hosted talks with the French president on Monday.", "Moscow", DIP, "talks"),
    # a place whose government speaks is on the diplomacy map, whatever it says
    Case("Ukraine’s prime minister says the country’s government has enough resources.", "Ukraine", DIP,
         "official:prime minister"),
    Case("Ukraine's foreign minister said the troops near Kharkiv were no threat.", "Ukraine", DIP,
         "official:foreign minister"),
    Case("Kharkiv said the troops near the border were no threat.", "Kharkiv", DIP, "actor:said"),
    # neutral phrases hide cue words: a talk show is not talks, the Cold War is not a war
    Case("In Moscow’s view, repeated in nearly every newscast and talk show, Ukraine is a failed state.",
         "Moscow", OTHER, ""),
    Case("The largest concentration of troops in Belarus since the Cold War.", "Belarus", DEP, "troops"),
    Case("The weather in Vilnius was cold.", "Vilnius", OTHER, ""),
    Case("Refugees fleeing the fighting arrived in Przemysl.", "Przemysl", MIG),
    # mixed sentences: the nearer cue, in the mention's own clause, decides
    Case("Shelling near Avdiivka continued as troops massed near Yelnya.", "Avdiivka", FRONT, "shelling"),
    Case("Shelling near Avdiivka continued as troops massed near Yelnya.", "Yelnya", DEP, "massed"),
    Case("The foreign ministers met in Riga to discuss sanctions, while troops massed near Yelnya.", "Riga",
         DIP, "venue:met in"),
    Case("The foreign ministers met in Riga to discuss sanctions, while troops massed near Yelnya.",
         "Yelnya", DEP),
    Case("Migrants camped near Kuznica as Polish troops reinforced the border.", "Kuznica", MIG),
    Case("Ukrainian and Russian-backed forces exchanged fire along the line of contact in Donbas as "
         "diplomats met in Paris.", "Donbas", FRONT, "line of contact"),
    Case("Ukrainian and Russian-backed forces exchanged fire along the line of contact in Donbas as "
         "diplomats met in Paris.", "Paris", DIP, "venue:met in"),
    # a country's refusal or stated responsibility is its diplomacy, whatever the words around it
    Case("Berlin has refused to sell weapons to Kyiv despite other allies doing so.", "Berlin", DIP,
         "actor:refused"),
    Case("The minister declared that Poland has a clear responsibility to end the migrant stand-off.",
         "Poland", DIP, "actor:responsibility"),
    # a place giving only the nationality of a firm or an outlet is not a scene
    Case("Satellite images released by US company Maxar showed tanks near Yelnya.", "US", OTHER,
         "organisation:company"),
    Case("The ambassador told Germany's DPA news agency that the helmets were symbolic.", "Germany", OTHER,
         "organisation:news agency"),
    Case("Officials from Lithuania have warned of a build-up near the border.", "Lithuania", DIP,
         "official:officials from"),
    # negations reach over a few words; a reported denial is no stance at the place
    Case("The spokesman said Moscow had no intention of launching a military offensive.", "Moscow", OTHER),
    Case("The spokesman added that Belarus had never attacked anyone.", "Belarus", OTHER, "denied:added"),
    Case("But he indicated Russia wouldn't wait forever.", "Russia", DIP, "stance:indicated"),
    # "position" in an idiom is no military position; a place after "over" in diplomacy is its subject
    Case("Putin would be happy to put Ukraine in a vulnerable position.", "Ukraine", OTHER, ""),
    Case("Italy will do its part with NATO over Ukraine.", "Ukraine", OTHER, "topic:over"),
]


def test_table_is_big_and_covers_every_category() -> None:
    assert len(CASES) >= 40
    assert sum(case.seed for case in CASES) >= 20
    assert {case.expected for case in CASES} == set(Category)
    assert any(case.cue and case.cue.startswith("actor:") for case in CASES)


@pytest.mark.parametrize("case", [c for c in CASES if c.seed], ids=lambda c: c.place)
def test_seed_cases_are_literal(case: Case) -> None:
    corpus = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    assert case.sentence in corpus


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.place}-{c.expected.value}")
def test_classify_mention_table(case: Case) -> None:
    start, end = span(case)
    result = classify_mention(case.sentence, start, end)
    assert result.category is case.expected, result
    if case.cue is not None:
        assert result.cue == case.cue
    assert 0.5 <= result.confidence <= 0.95


# --- the actor rule, as its own table -----------------------------------------------------------------

@pytest.mark.parametrize(("sentence", "place", "verb"), [
    ("Russia denies massing troops", "Russia", ("denies", "denial")),
    ("Moscow has repeatedly stated it has no plans", "Moscow", ("stated", "reporting")),
    ("Kyiv said talks would resume", "Kyiv", ("said", "reporting")),
    ("Ukraine's foreign minister has said so", "Ukraine", ("said", "reporting")),
    ("Russia and Belarus warned the West", "Russia", ("warned", "statement")),
    ("Kyiv called on Moscow to pull back", "Kyiv", ("called on", "statement")),
    ("a false flag, in what Kyiv called a provocation", "Kyiv", ("called", "reporting")),
    ("The Pentagon watches the Ukraine region amid claims of a build-up", "Ukraine", None),  # new clause
    ("Troops in Belarus said nothing", "Belarus", None),  # after a preposition: a location
    ("The talks near Minsk, officials said, went well", "Minsk", None),  # after "near"
    ("Russia, he said, hopes to destabilise Ukraine", "Russia", None),  # a clause break
    ("Russia has massed troops", "Russia", None),  # not a verb of saying
    ("Russia moved its troops to the border and then later said", "Russia", None),  # too far
])
def test_actor_verb(sentence: str, place: str, verb: tuple[str, str] | None) -> None:
    lexicon = load_lexicon()
    scan = scan_sentence(sentence, lexicon)
    start = sentence.index(place)
    first = next(i for i, s in enumerate(scan.starts) if s == start)
    last = first + len(cue_tokens(place)) - 1
    found = actor_verb(scan, first, last, lexicon)
    assert (found if found is None else found[:2]) == verb


@pytest.mark.parametrize(("scored", "verb", "kind", "expected"), [
    (Classification(DEP, "troops", 0.9), "warned", "statement", Classification(DIP, "actor:warned", 0.8)),
    (Classification(DIP, "talks", 0.9), "denies", "denial", Classification(OTHER, "actor:denies", 0.8)),
    (Classification(DIP, "talks", 0.9), "said", "reporting", Classification(DIP, "talks", 0.9)),
    (Classification(FRONT, "shelling", 0.9), "said", "reporting", Classification(DIP, "actor:said", 0.7)),
    (Classification(OTHER, "", 0.5), "said", "reporting", Classification(DIP, "actor:said", 0.7)),
])
def test_decide_actor(scored: Classification, verb: str, kind: str, expected: Classification) -> None:
    assert decide_actor(scored, verb, kind) == expected  # type: ignore[arg-type]


# --- precedence, confidence, context ------------------------------------------------------------------

def test_ties_follow_the_lexicon_precedence() -> None:
    precedence = load_lexicon().precedence
    assert precedence == (FRONT, MIG, DEP, DIP)
    every = dict.fromkeys(CUE_CATEGORIES, 1.0)
    assert rank_categories(every, precedence) == [FRONT, MIG, DEP, DIP]
    assert rank_categories({DIP: 1.0, DEP: 1.0}, precedence) == [DEP, DIP]
    assert rank_categories({DIP: 2.0, FRONT: 1.0}, precedence) == [DIP, FRONT]
    assert rank_categories({DIP: 0.0}, precedence) == []


def test_equal_cues_at_equal_distance_tie_to_precedence() -> None:
    sentence = "Talks and shelling in Avdiivka"  # talks 3 words away, shelling 1: shelling wins anyway
    assert classify_mention(sentence, 22, 30).category is FRONT
    sentence = "Talks Avdiivka clashes"  # talks and clashes both next to the place: a tie
    result = classify_mention(sentence, 6, 14)
    assert (result.category, result.confidence) == (FRONT, 0.5)


def test_confidence_grows_with_the_margin() -> None:
    assert margin_confidence(1.0, 0.0) == 0.95
    assert margin_confidence(1.0, 1.0) == 0.5
    assert margin_confidence(0.0, 0.0) == 0.5
    alone = classify_mention("Troops massed near Yelnya.", 19, 25)
    mixed = classify_mention("Troops massed near Yelnya for talks.", 19, 25)
    assert alone.confidence > mixed.confidence


def test_no_cue_is_other() -> None:
    assert classify_mention("The weather in Vilnius was cold.", 15, 22) == Classification(OTHER, "", 0.5)


def test_context_decides_only_when_the_sentence_has_no_cue() -> None:
    sentence = "The town of Shyrokyne lies east of Mariupol."
    result = classify_mention(sentence, 12, 21, context="Shelling resumed overnight.")
    assert (result.category, result.cue) == (FRONT, "context:shelling")
    assert result.confidence <= 0.6
    own = classify_mention("Troops massed near Shyrokyne.", 19, 28, context="Shelling resumed.")
    assert own.category is DEP


def test_cue_inside_the_place_name_does_not_count() -> None:
    sentence = "Queues grew at the Kuznica border crossing."
    assert classify_mention(sentence, 19, 42).category is OTHER
    assert classify_mention(sentence, 19, 26).category is MIG  # "border crossing" is then a cue


def test_span_outside_the_sentence_is_an_error() -> None:
    with pytest.raises(ValueError, match="outside"):
        classify_mention("Kyiv", 2, 9)
    with pytest.raises(ValueError, match="outside"):
        classify_mention("Kyiv", 3, 2)


def test_mentions_of_one_sentence_share_one_scan() -> None:
    lexicon = load_lexicon()
    sentence = "Troops massed near Yelnya while talks went on in Geneva and Minsk."
    assert scan_sentence(sentence, lexicon) is scan_sentence(sentence, lexicon)


# --- the lexicon file ---------------------------------------------------------------------------------

def test_lexicon_file_is_well_formed() -> None:
    table = tomllib.loads(LEXICON_FILE.read_text(encoding="utf-8"))
    tiers = table["tiers"]
    assert tiers and all(isinstance(w, float) and w > 0 for w in tiers.values())
    assert sorted(table["precedence"]) == sorted(c.value for c in CUE_CATEGORIES)
    seen: dict[tuple[str, ...], str] = {}
    for category in CUE_CATEGORIES:
        assert category.value in table, f"no [{category.value}] table"
        groups = table[category.value]
        assert set(groups) <= set(tiers), f"[{category.value}] unknown tier"
        assert sum(len(cues) for cues in groups.values()) >= 20
        for cues in groups.values():
            assert len(cues) == len(set(cues)), f"[{category.value}] repeats a cue"
            for cue in cues:
                tokens = cue_tokens(cue)
                assert tokens and cue.strip() == cue, f"bad cue {cue!r}"
                assert tokens not in seen, f"{cue!r} under {seen.get(tokens)} and {category.value}"
                seen[tokens] = category.value
    for phrase in table["neutral"]:
        tokens = cue_tokens(phrase)
        assert tokens and tokens not in seen, f"neutral phrase {phrase!r} empty or also a cue"
        seen[tokens] = "neutral"
    actor = table["actor"]
    verbs = [v for kind in ("statement", "denial", "reporting") for v in actor[kind]]
    assert all(cue_tokens(v) for v in verbs)
    assert len(verbs) == len(set(verbs)), "a verb under two actor kinds"
    assert {"said", "says", "denies", "warned", "claims", "insists", "wants", "believes"} <= set(verbs)
    assert {"in", "near", "at", "into", "to", "from", "on", "outside", "across"} <= set(actor["prepositions"])
    assert isinstance(actor["max_gap"], int) and actor["max_gap"] >= 1
    assert table["distance_scale"] > 0
    assert 0 < table["context_factor"] <= 1 and 0 < table["clause_factor"] <= 1


def test_lexicon_loads_and_is_cached() -> None:
    lexicon = load_lexicon()
    assert lexicon is load_lexicon(LEXICON_FILE)
    assert len(lexicon.cues) > 200
    assert {cue.category for cue in lexicon.cues} == {*CUE_CATEGORIES, OTHER}  # OTHER: neutral phrases


def test_malformed_lexicon_is_rejected() -> None:
    base = {"tiers": {"strong": 1.0}, "precedence": [c.value for c in CUE_CATEGORIES]}
    with pytest.raises(ValueError, match="listed under"):
        parse_lexicon({**base, "front_line": {"strong": ["fire"]}, "deployment": {"strong": ["Fire"]}})
    with pytest.raises(ValueError, match="empty"):
        parse_lexicon({**base, "front_line": {"strong": ["--"]}})
    with pytest.raises(ValueError, match="tier"):
        parse_lexicon({**base, "front_line": {"huge": ["fire"]}})
    with pytest.raises(ValueError, match="positive"):
        parse_lexicon({**base, "tiers": {"strong": 0.0}})
    with pytest.raises(ValueError, match="precedence"):
        parse_lexicon({**base, "precedence": ["front_line"]})


def test_a_custom_lexicon_is_used() -> None:
    lexicon = parse_lexicon({
        "tiers": {"strong": 1.0}, "precedence": [c.value for c in CUE_CATEGORIES],
        "migration": {"strong": ["queue"]}, "actor": {"reporting": ["said"]},
    })
    result = classify_mention("A long queue formed at Medyka.", 23, 29, lexicon=lexicon)
    assert (result.category, result.cue) == (MIG, "queue")


# --- invariants ---------------------------------------------------------------------------------------

@st.composite
def sentence_and_span(draw: st.DrawFn) -> tuple[str, int, int]:
    words = st.sampled_from(["Russia", "troops", "massed", "near", "said", "shelling", "talks", "migrants",
                             "Kyiv", "in", ",", "'s", "-", "denies", "called on", "  ", "\n"])
    text = draw(st.one_of(st.text(max_size=80), st.lists(words, max_size=20).map(" ".join)))
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, len(text)))
    return text, start, end


@given(sentence_and_span(), st.text(max_size=40))
def test_any_text_and_span_classifies(case: tuple[str, int, int], context: str) -> None:
    text, start, end = case
    result = classify_mention(text, start, end, context=context)
    assert result.category in set(Category)
    assert 0.0 <= result.confidence <= 1.0
    assert isinstance(result.cue, str)
