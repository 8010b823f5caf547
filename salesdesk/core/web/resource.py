"""A resource: one model's list, detail and form pages described in one place.

An app subclasses `Resource`, names its columns, filters, form and the services that write,
and gets list (search, filters, sort, pagination, CSV/XLSX export), detail (fields and audit
history), create, edit and delete pages from `urlpatterns()`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.urls import NoReverseMatch, path, reverse
from django.utils.dateparse import parse_date

from salesdesk.core import audit


@dataclass
class Column:
    name: str
    label: Any
    accessor: Any = None  # dotted path or callable; defaults to `name`
    sort: str | None = None  # ORM ordering expression; None = not sortable
    link: bool = False  # the cell opens the record
    badge: dict[str, str] | None = None  # raw value -> Bootstrap colour
    export: bool = True
    numeric: bool = False

    def get(self, obj):
        from salesdesk.core.web.display import resolve

        return resolve(obj, self.accessor or self.name)


@dataclass
class Filter:
    name: str
    label: Any
    lookup: str
    choices: Callable[[Any], list[tuple[Any, Any]]] | None = None  # request -> [(value, label)]
    kind: str = "select"  # select | date_from | date_to

    def options(self, request) -> list[tuple[str, str]]:
        return [(str(v), str(label)) for v, label in (self.choices(request) if self.choices else [])]

    def widget(self, request) -> tuple[str, list[tuple[str, str]]]:
        """(kind, options) as the list page draws it; a filter may change its kind with the data."""
        return self.kind, self.options(request)

    def apply(self, qs, request, raw: str):
        if not raw:
            return qs
        if self.kind in ("date_from", "date_to"):
            day = lenient_date(raw)
            return qs.filter(**{self.lookup: day}) if day else qs
        if raw not in {v for v, _ in self.options(request)}:
            return qs
        if raw == "__none__":
            return qs.filter(**{f"{self.lookup.split('__')[0]}__isnull": True})
        return qs.filter(**{self.lookup: raw})


def lenient_date(raw: str):
    """A `YYYY-MM-DD` date typed into a filter, or None when it is not one (2024-02-30 included)."""
    try:
        return parse_date(raw)
    except ValueError:  # well formed but no such day
        return None


def yes_no(request):
    from django.utils.translation import gettext_lazy as _

    return [("1", _("Yes")), ("0", _("No"))]


@dataclass
class Resource:
    model: type[models.Model] = None  # type: ignore[assignment]
    url_base: str = ""  # "customers:customer" -> customer-list, customer-detail, ...
    route: str = ""  # URL prefix inside the app, "customers"
    columns: list[Column] = field(default_factory=list)
    search_fields: tuple[str, ...] = ()
    filters: list[Filter] = field(default_factory=list)
    default_sort: str | None = None
    form_class: Any = None
    create_form_class: Any = None  # when creating needs other fields than editing
    formset_class: Any = None
    formset_label: Any = None
    detail_fields: tuple[str, ...] | None = None
    list_template: str = "web/list.html"
    detail_template: str = "web/detail.html"
    form_template: str = "web/form.html"
    tree: Callable[[Any], list[tuple[int, Any]]] | None = None
    deletable: bool = True
    paginate_by: int = 25
    icon: str = "card-list"
    title: Any = None  # overrides the model's verbose name
    title_plural: Any = None
    show_history: bool = True

    # --- names and permissions -------------------------------------------------------
    @property
    def verbose_name(self):
        return self.title or self.model._meta.verbose_name

    @property
    def verbose_name_plural(self):
        return self.title_plural or self.model._meta.verbose_name_plural

    def label(self, obj) -> str:
        """How a record is named in headings and messages."""
        return str(obj)

    def perm(self, action: str) -> str:
        return f"{self.model._meta.app_label}.{action}_{self.model._meta.model_name}"

    def url(self, kind: str, obj=None) -> str:
        name = f"{self.url_base}-{kind}"
        return reverse(name, args=[obj.pk]) if obj is not None else reverse(name)

    def can(self, request) -> dict[str, bool]:
        m = request.membership
        return {
            "add": m.has_perm(self.perm("add")) and self.form_class is not None,
            "change": m.has_perm(self.perm("change")) and self.form_class is not None,
            "delete": m.has_perm(self.perm("delete")) and self.deletable,
        }

    # --- reads -------------------------------------------------------------------------
    def queryset(self, request):
        return self.model.objects.filter(company=request.company)

    def detail_rows(self, obj) -> list[tuple[Any, Any]]:
        from salesdesk.core.web.display import resolve

        names = self.detail_fields or [f.name for f in self.model._meta.concrete_fields if f.name not in {"id", "company"} and f.editable]
        return [(self.model._meta.get_field(n).verbose_name, resolve(obj, n)) for n in names]

    def history(self, obj):
        return audit.history(obj)[:100] if self.show_history else None

    def detail_context(self, request, obj) -> dict[str, Any]:
        return {}

    def form_context(self, request, obj) -> dict[str, Any]:
        return {}

    def form_kwargs(self, request, obj) -> dict[str, Any]:
        return {}

    def formset_initial(self, obj) -> list[dict[str, Any]]:
        return []

    # --- writes (subclasses call their app's services) -----------------------------------
    def create(self, request, values: dict[str, Any], lines: list[dict[str, Any]] | None = None):
        return audit.audited_create(model=self.model, company=request.company, actor=request.user, values=values)

    def update(self, request, obj, values: dict[str, Any], lines: list[dict[str, Any]] | None = None):
        return audit.audited_update(instance=obj, actor=request.user, values=values)

    def delete(self, request, obj) -> None:
        audit.audited_delete(instance=obj, actor=request.user)

    # --- URLs --------------------------------------------------------------------------
    def urlpatterns(self) -> list:
        from salesdesk.core.web import views

        base = self.url_base.split(":", 1)[1]
        prefix = f"{self.route}/" if self.route else ""
        patterns = [
            path(f"{prefix}", views.ResourceListView.as_view(resource=self), name=f"{base}-list"),
            path(f"{prefix}<int:pk>/", views.ResourceDetailView.as_view(resource=self), name=f"{base}-detail"),
        ]
        if self.form_class is not None:
            patterns += [
                path(f"{prefix}new/", views.ResourceCreateView.as_view(resource=self), name=f"{base}-create"),
                path(f"{prefix}<int:pk>/edit/", views.ResourceUpdateView.as_view(resource=self), name=f"{base}-update"),
            ]
        if self.deletable:
            patterns.append(path(f"{prefix}<int:pk>/delete/", views.ResourceDeleteView.as_view(resource=self), name=f"{base}-delete"))
        return patterns


class DocumentResource(Resource):
    """Numbered business documents: scoped reads, never deleted, their own detail templates and action views."""

    def urlpatterns(self) -> list:
        from salesdesk.core.web import views

        base = self.url_base.split(":", 1)[1]
        prefix = f"{self.route}/"
        return [
            path(prefix, views.ResourceListView.as_view(resource=self), name=f"{base}-list"),
            path(f"{prefix}<int:pk>/", views.ResourceDetailView.as_view(resource=self), name=f"{base}-detail"),
        ]

    def can(self, request):
        return {"add": request.membership.has_perm(self.perm("add")), "change": False, "delete": False}

    def url(self, kind, obj=None):
        # The generic pages ask for edit and delete pages these documents do not have.
        try:
            return super().url(kind, obj)
        except NoReverseMatch:
            return None

    def detail_rows(self, obj):
        return []  # the detail templates lay out their own fields

    def history(self, obj):
        return None  # document events are shown instead
