"""/administration/questionnaires/: the questionnaire library of the organisation admin.

Drafts are edited question by question; published and retired versions are read-only and give
rise to a new draft version. The library is shared by all organisations (see
monitoring/questionnaire_editor.py). No patient data here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic import questionnaire_library as library
from clinic.admin_questionnaire_forms import ItemForm, QuestionnaireForm, option_formset
from monitoring import questionnaire_editor as editor
from monitoring.models import Questionnaire, QuestionnaireItem
from telemed.http import AuthenticatedHttpRequest
from telemed.roles import Role, role_required

admin_only = role_required(Role.ADMIN)
Kind = QuestionnaireItem.Kind


def _questionnaire(pk: int) -> Questionnaire:
    return get_object_or_404(Questionnaire.objects.select_related("score_type"), pk=pk)


def _item(questionnaire: Questionnaire, item_pk: int) -> QuestionnaireItem:
    item = next((i for i in editor.items_of(questionnaire) if i.pk == item_pk), None)
    if item is None:
        raise Http404
    return item


def _detail(questionnaire: Questionnaire) -> HttpResponse:
    return redirect("patients:questionnaire", questionnaire.pk)


@require_GET
@admin_only
def questionnaires(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "clinic/admin/questionnaires.html", {"families": library.library()})


@require_http_methods(["GET", "POST"])
@admin_only
def questionnaire_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = QuestionnaireForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            questionnaire = editor.questionnaire_create(request=request, **form.cleaned_data)
        except editor.EditorError as error:
            form.add_error("code", error.message)
        else:
            messages.success(request, _("Draft created. Now add its questions."))
            return _detail(questionnaire)
    return render(
        request,
        "clinic/admin/questionnaire_form.html",
        {"form": form, "questionnaire": None},
        status=400 if request.method == "POST" else 200,
    )


def _page(
    request: AuthenticatedHttpRequest,
    questionnaire: Questionnaire,
    *,
    refused: list[Any] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "clinic/admin/questionnaire.html",
        {
            "page": library.page(questionnaire),
            "q": questionnaire,
            "is_draft": questionnaire.status == Questionnaire.Status.DRAFT,
            "kinds": Kind.choices,
            "refused": refused,
            "error": error,
        },
        status=status,
    )


@require_GET
@admin_only
def questionnaire(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _page(request, _questionnaire(pk))


@require_http_methods(["GET", "POST"])
@admin_only
def questionnaire_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    questionnaire = _questionnaire(pk)
    if questionnaire.status != Questionnaire.Status.DRAFT:
        messages.info(request, _("Only a draft can be changed. Make a new version to change it."))
        return _detail(questionnaire)
    initial = {
        "title_da": questionnaire.title_da,
        "title_en": questionnaire.title_en,
        "description_da": questionnaire.description_da,
        "description_en": questionnaire.description_en,
        "score_type": questionnaire.score_type,
    }
    form = QuestionnaireForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        editing=questionnaire,
    )
    if request.method == "POST" and form.is_valid():
        try:
            editor.questionnaire_update(
                request=request, questionnaire=questionnaire, **form.cleaned_data
            )
        except editor.EditorError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Saved."))
            return _detail(questionnaire)
    return render(
        request,
        "clinic/admin/questionnaire_form.html",
        {"form": form, "questionnaire": questionnaire},
        status=400 if request.method == "POST" else 200,
    )


def _item_page(
    request: AuthenticatedHttpRequest,
    questionnaire: Questionnaire,
    kind: str,
    item: QuestionnaireItem | None,
) -> HttpResponse:
    posted = request.method == "POST"
    items = editor.items_of(questionnaire)
    position = item.position if item is not None else None
    earlier = [
        i
        for i in items
        if i.kind in (Kind.BOOLEAN, Kind.CHOICE)
        and (position is None or i.position < position)
        and (item is None or i.pk != item.pk)
    ]
    initial: dict[str, Any] = {"required": True}
    if item is not None:
        initial = {
            "link_id": item.link_id,
            "text_da": item.text_da,
            "text_en": item.text_en,
            "help_da": item.help_da,
            "help_en": item.help_en,
            "required": item.required,
            "number_min": item.number_min,
            "number_max": item.number_max,
            "measurement_types": list(item.measurement_types.all()),
            "condition": (
                f"{item.enable_when_item_id}:{item.enable_when_option_code}"
                if item.enable_when_item_id
                else ""
            ),
        }
    form = ItemForm(
        request.POST if posted else None,
        initial=initial,
        kind=kind,
        questionnaire=questionnaire,
        item=item,
        earlier=earlier,
    )
    options = option_formset(kind, item, request.POST if posted else None)
    if posted and form.is_valid() and (options is None or options.is_valid()):
        data = form.item_data(options.options() if options is not None else [])
        try:
            if item is None:
                editor.item_add(request=request, questionnaire=questionnaire, kind=kind, data=data)
            else:
                editor.item_update(request=request, item=item, data=data)
        except editor.EditorError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Question saved."))
            return _detail(questionnaire)
    return render(
        request,
        "clinic/admin/questionnaire_item.html",
        {
            "q": questionnaire,
            "item": item,
            "kind": kind,
            "kind_label": Kind(kind).label,
            "form": form,
            "options": options,
            "with_scores": questionnaire.score_type_id is not None,
        },
        status=400 if posted else 200,
    )


def _draft_or_redirect(
    request: AuthenticatedHttpRequest, questionnaire: Questionnaire
) -> HttpResponse | None:
    if questionnaire.status == Questionnaire.Status.DRAFT:
        return None
    messages.info(request, _("Only a draft can be changed. Make a new version to change it."))
    return _detail(questionnaire)


@require_http_methods(["GET", "POST"])
@admin_only
def item_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    questionnaire = _questionnaire(pk)
    refused = _draft_or_redirect(request, questionnaire)
    if refused is not None:
        return refused
    kind = request.POST.get("kind") or request.GET.get("kind") or ""
    if kind not in Kind.values:
        return _page(
            request, questionnaire, error=_("Choose what kind of question to add."), status=400
        )
    return _item_page(request, questionnaire, kind, None)


@require_http_methods(["GET", "POST"])
@admin_only
def item_edit(request: AuthenticatedHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    questionnaire = _questionnaire(pk)
    refused = _draft_or_redirect(request, questionnaire)
    if refused is not None:
        return refused
    item = _item(questionnaire, item_pk)
    return _item_page(request, questionnaire, item.kind, item)


@require_POST
@admin_only
def item_remove(request: AuthenticatedHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    questionnaire = _questionnaire(pk)
    item = get_object_or_404(QuestionnaireItem, pk=item_pk, questionnaire=questionnaire)
    try:
        editor.item_remove(request=request, item=item)
    except editor.EditorError as error:
        return _page(request, questionnaire, error=error.message, status=400)
    messages.success(request, _("Question removed."))
    return _detail(questionnaire)


@require_POST
@admin_only
def item_move(request: AuthenticatedHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    questionnaire = _questionnaire(pk)
    item = get_object_or_404(QuestionnaireItem, pk=item_pk, questionnaire=questionnaire)
    try:
        editor.item_move(request=request, item=item, up=request.POST.get("direction") == "up")
    except editor.EditorError as error:
        return _page(request, questionnaire, error=error.message, status=400)
    return HttpResponseRedirect(
        reverse("patients:questionnaire", args=[questionnaire.pk]) + f"#item-{item.pk}"
    )


@require_POST
@admin_only
def questionnaire_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    questionnaire = _questionnaire(pk)
    try:
        published = editor.questionnaire_publish(request=request, questionnaire=questionnaire)
    except editor.PublishRefused as refusal:
        return _page(request, questionnaire, refused=refusal.problems, status=400)
    except editor.EditorError as error:
        return _page(request, questionnaire, error=error.message, status=400)
    messages.success(
        request,
        _("Version %(version)s is published. New schedules can ask it.")
        % {"version": published.version},
    )
    return _detail(published)


@require_POST
@admin_only
def questionnaire_retire(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    questionnaire = _questionnaire(pk)
    try:
        editor.questionnaire_retire(request=request, questionnaire=questionnaire)
    except editor.EditorError as error:
        return _page(request, questionnaire, error=error.message, status=400)
    messages.success(
        request,
        _(
            "Retired. It is no longer offered for new schedules; schedules that ask it keep "
            "asking it until they are changed."
        ),
    )
    return _detail(questionnaire)


@require_POST
@admin_only
def questionnaire_new_version(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    questionnaire = _questionnaire(pk)
    try:
        draft = editor.questionnaire_new_version(request=request, questionnaire=questionnaire)
    except editor.EditorError as error:
        return _page(request, questionnaire, error=error.message, status=400)
    messages.success(
        request,
        _("Version %(version)s is a draft copy of version %(old)s. Change it, then publish it.")
        % {"version": draft.version, "old": questionnaire.version},
    )
    return _detail(draft)


@require_POST
@admin_only
def questionnaire_discard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    questionnaire = _questionnaire(pk)
    try:
        editor.questionnaire_discard(request=request, questionnaire=questionnaire)
    except editor.EditorError as error:
        return _page(request, questionnaire, error=error.message, status=400)
    messages.success(request, _("The draft was discarded."))
    return redirect("patients:questionnaires")


def _measurement_fields(item: QuestionnaireItem) -> list[dict[str, Any]]:
    """The measurement inputs as the citizen's step shows them (citizen/answer_views.py)."""
    return [
        {
            "type": t,
            "name": f"m_{t.key}",
            "value": "",
            "error": "",
            "recheck": "",
            "decimal": t.decimals > 0 or t.key == "spo2",
        }
        for t in item.measurement_types.all()
    ]


@require_GET
@admin_only
def questionnaire_preview(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One question at a time, in the citizen's own question template, at phone width. There is
    no form to send: "Next" and "Back" are links."""
    questionnaire = _questionnaire(pk)
    items = editor.items_of(questionnaire)
    if not items:
        messages.info(request, _("Add a question to preview the questionnaire."))
        return _detail(questionnaire)
    try:
        step = min(max(int(request.GET.get("step", "1")), 1), len(items))
    except ValueError:
        step = 1
    item = items[step - 1]
    condition = ""
    if item.enable_when_item_id:
        target = next((i for i in items if i.pk == item.enable_when_item_id), None)
        if target is not None:
            option = next(
                (o for o in target.options.all() if o.code == item.enable_when_option_code), None
            )
            condition = f"“{target.text}” = {option.text if option else '?'}"
    return render(
        request,
        "clinic/admin/questionnaire_preview.html",
        {
            "q": questionnaire,
            "item": item,
            "number": step,
            "total": len(items),
            "previous": step - 1 if step > 1 else None,
            "next": step + 1 if step < len(items) else None,
            "shown": {},
            "errors": {},
            "fields": _measurement_fields(item),
            "condition": condition,
            "steps": items,
        },
    )
