"""Generic pages of a `Resource`: list, detail, create, edit, delete."""

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from salesdesk.core import export
from salesdesk.core.errors import DomainError
from salesdesk.core.web.access import CompanyRequiredMixin
from salesdesk.core.web.display import display
from salesdesk.core.web.forms import apply_error, error_message
from salesdesk.core.web.pages import page_of
from salesdesk.core.web.resource import Resource


class ResourceMixin(CompanyRequiredMixin):
    resource: Resource = None  # type: ignore[assignment]
    action = "view"

    def required_permission(self, request):
        return self.resource.perm(self.action)

    def get_object(self):
        return get_object_or_404(self.resource.queryset(self.request), pk=self.kwargs["pk"])

    def base_context(self, **extra):
        r = self.resource
        return {
            "resource": r,
            "can": r.can(self.request),
            "list_url": r.url("list"),
            "create_url": r.url("create") if r.form_class is not None else None,
            **extra,
        }


class ResourceListView(ResourceMixin, View):
    def filtered(self, request):
        r = self.resource
        qs = r.queryset(request)
        q = request.GET.get("q", "").strip()
        if q and r.search_fields:
            cond = Q()
            for name in r.search_fields:
                cond |= Q(**{f"{name}__icontains": q})
            qs = qs.filter(cond)
        active = {}
        for f in r.filters:
            raw = request.GET.get(f.name, "").strip()
            if raw:
                active[f.name] = raw
                qs = f.apply(qs, request, raw)
        sort = request.GET.get("sort", "")
        sortable = {c.name: c.sort for c in r.columns if c.sort}
        key = sort.lstrip("-")
        # Ties break on the id in the same direction, so "newest first" reads straight off the
        # (company, -date, -id) index instead of sorting each day's documents.
        if key in sortable:
            descending = sort.startswith("-")
            qs = qs.order_by(("-" if descending else "") + sortable[key], "-pk" if descending else "pk")
        elif r.default_sort:
            qs = qs.order_by(r.default_sort, "-pk" if r.default_sort.startswith("-") else "pk")
        return qs, q, active, sort if key in sortable else ""

    def get(self, request, *args, **kwargs):
        r = self.resource
        qs, q, active, sort = self.filtered(request)
        fmt = request.GET.get("export")
        if fmt in ("csv", "xlsx"):
            cols = [c for c in r.columns if c.export]
            headers = [str(c.label) for c in cols]
            rows = ([c.get(obj) for c in cols] for obj in qs.iterator(chunk_size=500))
            rows = ([str(v) if hasattr(v, "_meta") else v for v in row] for row in rows)
            name = str(r.verbose_name_plural)
            return export.csv_response(name, headers, rows) if fmt == "csv" else export.xlsx_response(name, headers, rows)
        tree_mode = r.tree is not None and not (q or active or sort)
        if tree_mode:
            entries = r.tree(request.company)
            page = None
        else:
            page = page_of(qs, r.paginate_by, request.GET.get("page"))
            entries = [(0, obj) for obj in page.object_list]
        rows = [
            {
                "obj": obj,
                "depth": depth,
                "url": r.url("detail", obj),
                "cells": [self.cell(c, obj) for c in r.columns],
            }
            for depth, obj in entries
        ]
        filters = [
            {"name": f.name, "label": f.label, "kind": kind, "options": options, "value": active.get(f.name, "")}
            for f in r.filters
            for kind, options in [f.widget(request)]
        ]
        headers = [
            {"name": c.name, "label": c.label, "sortable": bool(c.sort), "numeric": c.numeric, "dir": self.direction(c, sort)}
            for c in r.columns
        ]
        context = self.base_context(
            rows=rows,
            page=page,
            q=q,
            filters=filters,
            headers=headers,
            filtered=bool(q or active),
            tree_mode=tree_mode,
        )
        return render(request, r.list_template, context)

    @staticmethod
    def direction(column, sort):
        if sort == column.name:
            return "asc"
        if sort == f"-{column.name}":
            return "desc"
        return ""

    @staticmethod
    def cell(column, obj):
        value = column.get(obj)
        raw = getattr(obj, column.name, None) if column.badge else None
        return {
            "text": display(value),
            "is_bool": isinstance(value, bool),
            "value": value,
            "link": column.link,
            "numeric": column.numeric,
            "badge": column.badge.get(str(raw), "secondary") if column.badge else None,
        }


class ResourceDetailView(ResourceMixin, View):
    def get(self, request, *args, **kwargs):
        r = self.resource
        obj = self.get_object()
        fields = [(label, display(value), isinstance(value, bool), value) for label, value in r.detail_rows(obj)]
        context = self.base_context(
            object=obj,
            object_label=r.label(obj),
            fields=fields,
            history=r.history(obj),
            update_url=r.url("update", obj) if r.form_class is not None else None,
            delete_url=r.url("delete", obj) if r.deletable else None,
            **r.detail_context(request, obj),
        )
        return render(request, r.detail_template, context)


class ResourceFormView(ResourceMixin, View):
    """Create or edit through the resource's services; service errors land on the form."""

    def current(self):
        return None

    def build(self, obj, data=None):
        r = self.resource
        kwargs = {"company": self.request.company, "request": self.request, **r.form_kwargs(self.request, obj)}
        form_class = r.create_form_class if obj is None and r.create_form_class else r.form_class
        if _is_model_form(form_class):
            form = form_class(data, instance=obj, **kwargs)
        else:
            form = form_class(data, **kwargs)
        if obj is not None and not _is_model_form(form_class) and data is None and hasattr(form, "load"):
            form.load(obj)
        formset = None
        if r.formset_class is not None:
            initial = r.formset_initial(obj) if obj is not None and data is None else None
            formset = r.formset_class(data, prefix="lines", initial=initial, company=self.request.company)
        return form, formset

    def render_form(self, form, formset, obj, status=200):
        r = self.resource
        context = self.base_context(
            form=form,
            formset=formset,
            object=obj,
            object_label=r.label(obj) if obj is not None else "",
            cancel_url=r.url("detail", obj) if obj is not None else r.url("list"),
            **r.form_context(self.request, obj),
        )
        return render(self.request, r.form_template, context, status=status)

    def get(self, request, *args, **kwargs):
        obj = self.current()
        form, formset = self.build(obj)
        return self.render_form(form, formset, obj)

    def post(self, request, *args, **kwargs):
        obj = self.current()
        form, formset = self.build(obj, request.POST)
        valid = form.is_valid() & (formset.is_valid() if formset is not None else True)
        if valid:
            values = form.values() if hasattr(form, "values") else dict(form.cleaned_data)
            lines = formset.lines() if formset is not None else None
            try:
                saved = self.save(obj, values, lines)
            except DomainError as exc:
                apply_error(form, exc, formset)
            else:
                messages.success(request, self.success_message(saved))
                return redirect(self.resource.url("detail", saved))
        messages.error(request, _("Please correct the errors below."))
        return self.render_form(form, formset, obj, status=400)


def _is_model_form(form_class) -> bool:
    return hasattr(form_class, "_meta") and getattr(form_class._meta, "model", None) is not None


class ResourceCreateView(ResourceFormView):
    action = "add"

    def save(self, obj, values, lines):
        return self.resource.create(self.request, values, lines)

    def success_message(self, saved):
        return _("%(kind)s “%(name)s” was created.") % {
            "kind": str(self.resource.verbose_name).capitalize(),
            "name": self.resource.label(saved),
        }


class ResourceUpdateView(ResourceFormView):
    action = "change"

    def current(self):
        return self.get_object()

    def save(self, obj, values, lines):
        # The form changed `obj` in memory while validating; the service gets the stored row.
        return self.resource.update(self.request, self.get_object(), values, lines)

    def success_message(self, saved):
        return _("%(kind)s “%(name)s” was saved.") % {
            "kind": str(self.resource.verbose_name).capitalize(),
            "name": self.resource.label(saved),
        }


class ResourceDeleteView(ResourceMixin, View):
    action = "delete"

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        return render(
            request,
            "web/confirm_delete.html",
            self.base_context(object=obj, object_label=self.resource.label(obj), cancel_url=self.resource.url("detail", obj)),
        )

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        name = self.resource.label(obj)
        try:
            self.resource.delete(request, obj)
        except DomainError as exc:
            messages.error(request, error_message(exc))
            return redirect(self.resource.url("detail", obj))
        messages.success(
            request, _("%(kind)s “%(name)s” was deleted.") % {"kind": str(self.resource.verbose_name).capitalize(), "name": name}
        )
        return redirect(self.resource.url("list"))
