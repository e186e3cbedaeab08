"""Seed the two published COPD questionnaires: the daily KOL questionnaire and the CAT.

"kol" follows OpenTele's COPD (KOL) daily questionnaire: saturation and pulse, optional weight,
the symptom questions a COPD nurse uses to spot an exacerbation (Anthonisen criteria: more
breathlessness, more sputum, purulent sputum), rescue medicine, fever, and free text. Each option
carries the severity it signals.

"cat" is the COPD Assessment Test (Jones et al., Eur Respir J 2009;34:648-54; Danish version from
catestonline.org): eight items scored 0-5, total 0-40. The answers themselves are green; the
total is stored as the measurement "cat_score" (MCS88137) and evaluated against its thresholds.

link_ids and option codes are stable: FHIR QuestionnaireResponses and evaluation refer to them.
"""

from django.db import migrations
from django.utils import timezone

G, Y, R = "green", "yellow", "red"
YES_NO_YELLOW = [("yes", "Ja", "Yes", Y), ("no", "Nej", "No", G)]

# link_id, kind, required, da, en, help_da, help_en, measurement keys, options
# options: (code, da, en, severity)
KOL_ITEMS = [
    (
        "spo2_pulse",
        "measurement",
        True,
        "Mål din iltmætning og puls",
        "Measure your oxygen saturation and pulse",
        "Sæt dig roligt i 5 minutter før du måler.",
        "Sit quietly for 5 minutes before measuring.",
        ["spo2", "pulse"],
        [],
    ),
    (
        "weight",
        "measurement",
        False,
        "Vej dig (hvis du er sat op til det)",
        "Weigh yourself (if you have been asked to)",
        "Vej dig om morgenen, før morgenmad.",
        "Weigh yourself in the morning, before breakfast.",
        ["weight"],
        [],
    ),
    (
        "breathless",
        "choice",
        True,
        "Er du mere forpustet end du plejer?",
        "Are you more breathless than usual?",
        "",
        "",
        [],
        [
            ("no", "Nej, som jeg plejer", "No, as usual", G),
            ("a_bit_more", "Ja, lidt mere", "Yes, a bit more", Y),
            ("much_more", "Ja, meget mere", "Yes, much more", R),
        ],
    ),
    (
        "cough",
        "boolean",
        True,
        "Hoster du mere end du plejer?",
        "Are you coughing more than usual?",
        "",
        "",
        [],
        YES_NO_YELLOW,
    ),
    (
        "sputum_more",
        "boolean",
        True,
        "Har du mere opspyt (slim) end du plejer?",
        "Do you have more sputum (phlegm) than usual?",
        "",
        "",
        [],
        YES_NO_YELLOW,
    ),
    (
        "sputum_colour",
        "choice",
        True,
        "Hvilken farve har dit opspyt?",
        "What colour is your sputum?",
        "",
        "",
        [],
        [
            ("none", "Jeg har ikke opspyt", "I have no sputum", G),
            ("clear_white", "Klart eller hvidt", "Clear or white", G),
            ("yellow_green", "Gult eller grønt", "Yellow or green", Y),
            ("brown_bloody", "Brunt eller med blod", "Brown or with blood", R),
        ],
    ),
    (
        "rescue_medicine",
        "boolean",
        True,
        "Har du brugt mere anfaldsmedicin (inhalator) end du plejer?",
        "Have you used more rescue medicine (inhaler) than usual?",
        "",
        "",
        [],
        YES_NO_YELLOW,
    ),
    (
        "fever",
        "boolean",
        True,
        "Har du feber eller føler dig febril?",
        "Do you have a fever or feel feverish?",
        "",
        "",
        [],
        YES_NO_YELLOW,
    ),
    (
        "temperature",
        "measurement",
        True,
        "Mål din temperatur",
        "Measure your temperature",
        "Mål temperaturen i endetarmen eller i øret.",
        "Measure rectally or in the ear.",
        ["temperature"],
        [],
    ),
    (
        "other",
        "text",
        False,
        "Er der andet, du vil fortælle os?",
        "Is there anything else you want to tell us?",
        "",
        "",
        [],
        [],
    ),
]

# The temperature is asked only when the citizen says they have a fever.
KOL_ENABLE_WHEN = {"temperature": ("fever", "yes")}

# link_id, da, en, anchor 0 (da, en), anchor 5 (da, en)
CAT_ITEMS = [
    (
        "cat_cough",
        "Hoste",
        "Cough",
        ("Jeg hoster aldrig", "I never cough"),
        ("Jeg hoster hele tiden", "I cough all the time"),
    ),
    (
        "cat_phlegm",
        "Slim",
        "Phlegm",
        ("Jeg har slet ikke noget slim i brystet", "I have no phlegm (mucus) in my chest at all"),
        ("Mit bryst er helt fyldt med slim", "My chest is completely full of phlegm (mucus)"),
    ),
    (
        "cat_chest_tightness",
        "Trykken for brystet",
        "Chest tightness",
        ("Jeg har slet ingen trykken for brystet", "My chest does not feel tight at all"),
        ("Jeg har en meget stærk trykken for brystet", "My chest feels very tight"),
    ),
    (
        "cat_breathlessness",
        "Åndenød",
        "Breathlessness",
        (
            "Når jeg går op ad en bakke eller en etage op ad trapper, bliver jeg ikke forpustet",
            "When I walk up a hill or one flight of stairs I am not breathless",
        ),
        (
            "Når jeg går op ad en bakke eller en etage op ad trapper, bliver jeg meget forpustet",
            "When I walk up a hill or one flight of stairs I am very breathless",
        ),
    ),
    (
        "cat_activities",
        "Aktiviteter i hjemmet",
        "Activities at home",
        (
            "Jeg er ikke begrænset i mine aktiviteter i hjemmet",
            "I am not limited doing any activities at home",
        ),
        (
            "Jeg er meget begrænset i mine aktiviteter i hjemmet",
            "I am very limited doing activities at home",
        ),
    ),
    (
        "cat_confidence",
        "Tryghed ved at gå ud",
        "Confidence leaving home",
        (
            "Jeg er tryg ved at forlade mit hjem på trods af min lungesygdom",
            "I am confident leaving my home despite my lung condition",
        ),
        (
            "Jeg er slet ikke tryg ved at forlade mit hjem på grund af min lungesygdom",
            "I am not at all confident leaving my home because of my lung condition",
        ),
    ),
    (
        "cat_sleep",
        "Søvn",
        "Sleep",
        ("Jeg sover godt", "I sleep soundly"),
        (
            "Jeg sover ikke godt på grund af min lungesygdom",
            "I don't sleep soundly because of my lung condition",
        ),
    ),
    (
        "cat_energy",
        "Energi",
        "Energy",
        ("Jeg har masser af energi", "I have lots of energy"),
        ("Jeg har slet ingen energi", "I have no energy at all"),
    ),
]


def seed(apps, schema_editor):
    Questionnaire = apps.get_model("monitoring", "Questionnaire")
    QuestionnaireItem = apps.get_model("monitoring", "QuestionnaireItem")
    ItemOption = apps.get_model("monitoring", "ItemOption")
    MeasurementType = apps.get_model("monitoring", "MeasurementType")
    types = {t.key: t for t in MeasurementType.objects.all()}
    now = timezone.now()

    kol, _ = Questionnaire.objects.get_or_create(
        code="kol",
        version=1,
        defaults={
            "status": "published",
            "published_at": now,
            "title_da": "KOL – dagligt spørgeskema",
            "title_en": "COPD – daily questionnaire",
            "description_da": "Mål iltmætning og puls, og fortæl hvordan du har det i dag.",
            "description_en": "Measure saturation and pulse, and tell us how you are today.",
        },
    )
    items = {}
    for position, row in enumerate(KOL_ITEMS, start=1):
        link_id, kind, required, da, en, help_da, help_en, keys, options = row
        item, created = QuestionnaireItem.objects.get_or_create(
            questionnaire=kol,
            link_id=link_id,
            defaults={
                "position": position,
                "kind": kind,
                "required": required,
                "text_da": da,
                "text_en": en,
                "help_da": help_da,
                "help_en": help_en,
            },
        )
        items[link_id] = item
        if not created:
            continue
        item.measurement_types.set([types[key] for key in keys])
        ItemOption.objects.bulk_create(
            ItemOption(item=item, code=code, position=n, text_da=o_da, text_en=o_en, severity=sev)
            for n, (code, o_da, o_en, sev) in enumerate(options, start=1)
        )
    for link_id, (parent, option_code) in KOL_ENABLE_WHEN.items():
        item = items[link_id]
        item.enable_when_item = items[parent]
        item.enable_when_option_code = option_code
        item.save(update_fields=["enable_when_item", "enable_when_option_code"])

    cat, created = Questionnaire.objects.get_or_create(
        code="cat",
        version=1,
        defaults={
            "status": "published",
            "published_at": now,
            "title_da": "CAT – KOL-vurderingstest",
            "title_en": "CAT – COPD Assessment Test",
            "description_da": (
                "Sæt kryds ved det tal, der bedst beskriver, hvordan du har det for tiden "
                "(0 = slet ikke, 5 = meget)."
            ),
            "description_en": (
                "Choose the number that best describes how you are currently "
                "(0 = not at all, 5 = very much)."
            ),
            "score_type": types["cat_score"],
        },
    )
    if not created:
        return
    for position, (link_id, da, en, low, high) in enumerate(CAT_ITEMS, start=1):
        item = QuestionnaireItem.objects.create(
            questionnaire=cat,
            link_id=link_id,
            position=position,
            kind="choice",
            required=True,
            text_da=da,
            text_en=en,
            help_da=f"0 = {low[0]}; 5 = {high[0]}",
            help_en=f"0 = {low[1]}; 5 = {high[1]}",
        )
        options = []
        for score in range(6):
            text_da = text_en = str(score)
            if score == 0:
                text_da, text_en = f"0 – {low[0]}", f"0 – {low[1]}"
            elif score == 5:
                text_da, text_en = f"5 – {high[0]}", f"5 – {high[1]}"
            options.append(
                ItemOption(
                    item=item,
                    code=str(score),
                    position=score + 1,
                    text_da=text_da,
                    text_en=text_en,
                    severity="green",
                    score=score,
                )
            )
        ItemOption.objects.bulk_create(options)


def unseed(apps, schema_editor):
    apps.get_model("monitoring", "Questionnaire").objects.filter(
        code__in=["kol", "cat"], version=1
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0003_seed_measurement_types")]
    operations = [migrations.RunPython(seed, unseed)]
