"""Form helpers: Bootstrap styling, company-scoped choices, and service errors shown on fields."""

import re
from typing import Any

from django import forms
from django.db import models
from django.forms.formsets import DELETION_FIELD_NAME

from salesdesk.core.errors import DomainError, Invalid

_INDEXED = re.compile(r"^(?P<name>\w+)\[(?P<index>\d+)\]$")


class StyledFormMixin:
    """Bootstrap classes on every widget, and `is-invalid` on fields that carry an error."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.CheckboxSelectMultiple):
                css = ""
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
            else:
                css = "form-control"
            if isinstance(widget, forms.Textarea):
                widget.attrs.setdefault("rows", 3)
            if css:
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in list(self.errors):
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def scope_choices(form: forms.BaseForm, company) -> None:
    """Limit every model choice field to the rows of `company`."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField) and field.queryset is not None:
            model = field.queryset.model
            if any(f.name == "company" for f in model._meta.get_fields()):
                field.queryset = field.queryset.filter(company=company)


class CompanyForm(StyledFormMixin, forms.Form):
    def __init__(self, *args, company=None, request=None, **kwargs):
        self.company, self.request = company, request
        super().__init__(*args, **kwargs)
        scope_choices(self, company)


class CompanyModelForm(StyledFormMixin, forms.ModelForm):
    """A ModelForm used to parse and validate input only: views pass `cleaned_data` to a service
    and never call `save()`."""

    def __init__(self, *args, company=None, request=None, **kwargs):
        self.company, self.request = company, request
        super().__init__(*args, **kwargs)
        scope_choices(self, company)

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields if name in self.cleaned_data}


class CompanyFormSetBase(forms.BaseFormSet):
    def __init__(self, *args, company=None, **kwargs):
        self.company = company
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "company": self.company}

    def kept_forms(self) -> list[forms.Form]:
        """The filled-in rows that are not marked for deletion, in order."""
        kept = []
        for form in self.forms:
            if not form.has_changed() or (self.can_delete and form.cleaned_data.get(DELETION_FIELD_NAME)):
                continue
            kept.append(form)
        return kept

    def lines(self) -> list[dict[str, Any]]:
        return [{k: v for k, v in form.cleaned_data.items() if k != DELETION_FIELD_NAME} for form in self.kept_forms()]


def company_formset(form_class, extra: int = 2):
    return forms.formset_factory(form_class, formset=CompanyFormSetBase, extra=extra, can_delete=True)


def error_message(error: DomainError) -> str:
    """One readable sentence for a flash message: the field messages when there are any."""
    if isinstance(error, Invalid) and error.details:
        return " ".join(m for ms in error.details.values() for m in (ms if isinstance(ms, list) else [str(ms)]))
    used_by = error.details.get("used_by") if isinstance(error.details, dict) else None
    if used_by:
        from django.utils.translation import gettext as _

        return f"{error.message} " + _("Used by: %(names)s.") % {"names": ", ".join(str(n) for n in used_by)}
    return error.message


def apply_error(form: forms.BaseForm, error: DomainError, formset: CompanyFormSetBase | None = None) -> None:
    """Show a service's error where it belongs: on the named field, on a formset row
    (`items[2]`), or at the top of the form."""
    if not isinstance(error, Invalid) or not error.details:
        form.add_error(None, error.message)
        return
    rows = formset.kept_forms() if formset is not None else []
    for key, messages in error.details.items():
        messages = messages if isinstance(messages, list) else [str(messages)]
        match = _INDEXED.match(key)
        if match and int(match["index"]) < len(rows):
            rows[int(match["index"])].add_error(None, messages)
        elif key in form.fields:
            form.add_error(key, messages)
        else:
            form.add_error(None, messages)


def model_fields(model: type[models.Model], exclude: tuple[str, ...] = ()) -> list[str]:
    skip = {"id", "company", "created_at", "updated_at", *exclude}
    return [f.name for f in model._meta.concrete_fields if f.name not in skip and f.editable]
