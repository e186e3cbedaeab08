import pytest

from monitoring.models import Questionnaire, QuestionnaireItem

pytestmark = pytest.mark.django_db


def test_kol_and_cat_are_published_once():
    published = Questionnaire.objects.filter(status=Questionnaire.Status.PUBLISHED)
    assert sorted(published.values_list("code", flat=True)) == ["cat", "kol"]
    for q in published:
        assert q.title_da and q.title_en and q.published_at is not None


def test_cat_has_eight_items_scored_zero_to_five_and_a_score_type():
    cat = Questionnaire.objects.get(code="cat", status="published")
    assert cat.score_type.key == "cat_score"
    items = list(cat.items.prefetch_related("options"))
    assert len(items) == 8
    for item in items:
        assert item.kind == QuestionnaireItem.Kind.CHOICE
        assert item.text_da and item.text_en
        options = list(item.options.all())
        assert [o.score for o in options] == [0, 1, 2, 3, 4, 5]
        assert [o.code for o in options] == ["0", "1", "2", "3", "4", "5"]
        assert {o.severity for o in options} == {"green"}


def test_kol_items_and_option_severities():
    kol = Questionnaire.objects.get(code="kol", status="published")
    items = {i.link_id: i for i in kol.items.prefetch_related("options", "measurement_types")}
    assert list(items) == [
        "spo2_pulse",
        "weight",
        "breathless",
        "cough",
        "sputum_more",
        "sputum_colour",
        "rescue_medicine",
        "fever",
        "temperature",
        "other",
    ]
    assert {t.key for t in items["spo2_pulse"].measurement_types.all()} == {"spo2", "pulse"}
    assert items["spo2_pulse"].required
    assert not items["weight"].required
    assert items["temperature"].enable_when_item == items["fever"]
    assert items["temperature"].enable_when_option_code == "yes"
    assert items["other"].kind == QuestionnaireItem.Kind.TEXT

    def severities(link_id):
        return {o.code: o.severity for o in items[link_id].options.all()}

    assert severities("breathless") == {"no": "green", "a_bit_more": "yellow", "much_more": "red"}
    assert severities("sputum_colour") == {
        "none": "green",
        "clear_white": "green",
        "yellow_green": "yellow",
        "brown_bloody": "red",
    }
    for link_id in ("cough", "sputum_more", "rescue_medicine", "fever"):
        assert severities(link_id) == {"yes": "yellow", "no": "green"}
    for item in items.values():
        for option in item.options.all():
            assert option.text_da and option.text_en
