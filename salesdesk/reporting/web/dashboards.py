"""The dashboard page (/reports/dashboard/): each role's section, with its charts and the same numbers as tables.

`?view=leader|sales|warehouse|accounts` shows one section among those the member's roles
give (403 for another, 400 for an unknown name). The charts are drawn by dashboard.js from
one json_script block; each chart's table is rendered here from the same series.
"""

from datetime import date, timedelta
from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from salesdesk.core.errors import Invalid
from salesdesk.core.web.access import CompanyRequiredMixin
from salesdesk.reporting import dashboards, services


def section_labels() -> dict[str, str]:
    return {"leader": _("Sales leadership"), "sales": _("My sales"), "warehouse": _("Warehouse"), "accounts": _("Accounts")}


def basis_labels() -> dict[str, str]:
    return {"ordered": _("Ordered"), "invoiced": _("Invoiced"), "collected": _("Collected")}


def bucket_labels() -> dict[str, str]:
    return {
        "current": _("Not yet due"),
        "1_30": _("1–30 days"),
        "31_60": _("31–60 days"),
        "61_90": _("61–90 days"),
        "over_90": _("Over 90 days"),
    }


def chart(
    chart_id: str,
    title: str,
    kind: str,
    heading: str,
    labels: list,
    series: list[tuple[str, list]],
    places: int = 2,
    horizontal=False,
    links: list[str] | None = None,
) -> dict:
    """A chart and its table: `labels` name the rows (the x axis), each series a column; `links`
    (one per row) lead from a point or a row to the documents behind it."""
    return {
        "links": links or [],
        "id": chart_id,
        "title": title,
        "type": kind,
        "horizontal": horizontal,
        "heading": heading,
        "places": places,
        "series": [{"label": label, "values": values} for label, values in series],
        "rows": [
            {"label": label, "values": [values[i] for _label, values in series], "link": links[i] if links else ""}
            for i, label in enumerate(labels)
        ],
        "labels": [str(label) for label in labels],
        "empty": not any(value for _label, values in series for value in values),
    }


def _top_chart(chart_id: str, title: str, heading: str, rows: list[dict]) -> dict:
    return chart(
        chart_id, title, "bar", heading, [r["name"] for r in rows], [(_("Invoiced revenue"), [r["revenue"] for r in rows])], horizontal=True
    )


def _ageing_chart(chart_id: str, summary: dict) -> dict:
    names = bucket_labels()
    buckets = summary["buckets"]
    return chart(
        chart_id,
        _("Receivables by age"),
        "bar",
        _("Age"),
        [names[b["bucket"]] for b in buckets],
        [(_("Open amount"), [b["amount"] for b in buckets])],
    )


def charts(data: dict) -> dict[str, dict]:
    """Every chart of the sections shown, by id."""
    out: list[dict] = []
    bases = basis_labels()
    if "leader" in data:
        leader = data["leader"]
        compared = leader["comparison"]
        labels = [bases[row["basis"]] for row in compared]
        out += [
            chart(
                "compare_month",
                _("This month against the same days last year"),
                "bar",
                _("Basis"),
                labels,
                [(_("This month"), [r["month"] for r in compared]), (_("Same days last year"), [r["month_last_year"] for r in compared])],
            ),
            chart(
                "compare_year",
                _("This year to date against the same period last year"),
                "bar",
                _("Basis"),
                labels,
                [(_("This year"), [r["year"] for r in compared]), (_("Same period last year"), [r["year_last_year"] for r in compared])],
            ),
            chart(
                "trend",
                _("Revenue by month, last 24 months"),
                "line",
                _("Month"),
                [r["month"] for r in leader["trend"]],
                [(_("Invoiced"), [r["invoiced"] for r in leader["trend"]]), (_("Ordered"), [r["ordered"] for r in leader["trend"]])],
                links=[month_documents(r["month"]) for r in leader["trend"]],
            ),
            _top_chart("top_customers", _("Top 10 customers this year"), _("Customer"), leader["top_customers"]),
            _top_chart("top_products", _("Top 10 products this year"), _("Product"), leader["top_products"]),
            _top_chart("top_salespeople", _("Top 10 salespeople this year"), _("Salesperson"), leader["top_salespeople"]),
            _ageing_chart("receivables", leader["receivables"]),
        ]
    if "sales" in data:
        month = data["sales"]["month"]
        out.append(
            chart(
                "my_month",
                _("My sales this month against the same days last year"),
                "bar",
                _("Basis"),
                [bases["invoiced"], bases["ordered"]],
                [
                    (_("This month"), [month["invoiced"], month["ordered"]]),
                    (_("Same days last year"), [month["invoiced_last_year"], month["ordered_last_year"]]),
                ],
            )
        )
    if "warehouse" in data:
        products = data["warehouse"]["backorders"]["products"]
        out.append(
            chart(
                "backorders",
                _("Quantities waiting for stock, by product"),
                "bar",
                _("Product"),
                [f"{p['sku']} {p['name']}" for p in products],
                [(_("Waiting"), [p["waiting"] for p in products])],
                places=4,
                horizontal=True,
            )
        )
    if "accounts" in data:
        out.append(_ageing_chart("ageing", data["accounts"]["ageing"]))
    return {c["id"]: c for c in out}


def month_documents(month: str) -> str:
    """The invoices behind one month of the trend (a month as `YYYY-MM`), in the sales analysis's drill-down."""
    start = date.fromisoformat(f"{month}-01")
    end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    query = {"rows": "month", "basis": "invoiced", "date_from": start, "date_to": end, "cell_month": start}
    return f"{reverse('reporting:analysis-drill')}?{urlencode(query)}"


def chart_data(specs: dict[str, dict]) -> dict:
    """What dashboard.js draws: labels and datasets per chart (amounts as strings, like the API)."""
    return {
        chart_id: {
            "type": spec["type"],
            "horizontal": spec["horizontal"],
            "labels": spec["labels"],
            "datasets": [{"label": s["label"], "data": [str(v) for v in s["values"]]} for s in spec["series"]],
            "links": spec["links"],
        }
        for chart_id, spec in specs.items()
        if not spec["empty"]
    }


class DashboardView(CompanyRequiredMixin, View):
    """Every member has a dashboard: the sections of their roles, or the one `?view=` picks."""

    def get(self, request):
        membership = request.membership
        allowed = dashboards.sections_for(membership)
        view = request.GET.get("view", "")
        labels = section_labels()
        context = {"tabs": [(name, labels[name]) for name in allowed], "view": view, "section_labels": labels}
        try:
            shown = dashboards.choose(membership, view)
        except Invalid as exc:
            context.update(error=exc.details.get("view", [str(exc)])[0], data={}, charts={}, chart_json={})
            return render(request, "reporting/dashboard.html", context, status=400)
        if {"leader", "sales"} & set(shown):
            services.refresh(company=request.company)
        data = dashboards.Board(request.company, membership, timezone.localdate()).data(shown)
        specs = charts(data)
        context.update(
            data=data,
            charts=specs,
            chart_json=chart_data(specs),
            bases=basis_labels(),
            buckets=bucket_labels(),
            currency=request.company.base_currency,
            with_money=bool({"leader", "sales", "accounts"} & set(shown)),
        )
        return render(request, "reporting/dashboard.html", context)
