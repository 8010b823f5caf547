from django.urls import path

from salesdesk.reporting.web import analysis, dashboards, demand

app_name = "reporting"

urlpatterns = [
    path("dashboard/", dashboards.DashboardView.as_view(), name="dashboard"),
    path("demand/", demand.DemandBoardView.as_view(), name="demand"),
    path("analysis/", analysis.AnalysisView.as_view(), name="analysis"),
    path("analysis/documents/", analysis.DrillView.as_view(), name="analysis-drill"),
]
