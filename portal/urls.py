"""The portal's URLs (Swedish paths), included at the site root by servicelevel/urls.py. Each page's
views live beside its selectors, forms and templates in its feature's folder, portal/<feature>/."""

from django.urls import path

import portal.actionplan.views as actionplan_views
import portal.audit.views as audit_views
import portal.comparison.views as comparison
import portal.dashboard.views as dashboard_views
import portal.exemptions.views as exemption_views
import portal.imports.views as imports
import portal.reports.views as report_views
import portal.rulebook.urls as rulebook_urls
import portal.self_service.views as self_service
import portal.sign_in.views as sign_in
import portal.unit_history.views as unit_history
import portal.units.views as units

app_name = "portal"

urlpatterns: list = [
    path("", dashboard_views.dashboard, name="dashboard"),
    path("inloggning/rollregler/", sign_in.rules, name="sign_in_rules"),
    path("inloggning/rollregler/<int:pk>/ta-bort/", sign_in.rule_delete, name="sign_in_rule_delete"),
    path("enheter/", units.unit_list, name="unit_list"),
    path("enheter/export.csv", units.unit_export_csv, name="unit_export_csv"),
    path("enheter/export.xlsx", units.unit_export_xlsx, name="unit_export_xlsx"),
    path("enheter/<str:hsa_id>/", units.unit_detail, name="unit_detail"),
    path("enheter/<str:hsa_id>/arenden.csv", units.unit_cases_csv, name="unit_cases_csv"),
    path("enheter/<str:hsa_id>/historik/", unit_history.history, name="unit_history"),
    path("enheter/<str:hsa_id>/jamfor/", unit_history.compare, name="unit_compare_dates"),
    path("import/", imports.start, name="import_start"),
    path("import/mall/<slug:kind>.csv", imports.template_csv, name="import_template_csv"),
    path("import/mall/<slug:kind>.xlsx", imports.template_xlsx, name="import_template_xlsx"),
    path("import/<int:pk>/", imports.job, name="import_job"),
    path("import/<int:pk>/status/", imports.status, name="import_status"),
    path("import/<int:pk>/importera/", imports.confirm, name="import_confirm"),
    path("jamforelse/", comparison.comparison, name="comparison"),
    path("jamforelse/export.csv", comparison.comparison_export_csv, name="comparison_export_csv"),
    path("enheter/<str:hsa_id>/utbud/", self_service.unit_offerings, name="unit_offerings"),
    path(
        "enheter/<str:hsa_id>/utbud/forhandsgranska/",
        self_service.unit_offerings_preview,
        name="unit_offerings_preview",
    ),
    path("enheter/<str:hsa_id>/bokning/", self_service.unit_booking, name="unit_booking"),
    path(
        "enheter/<str:hsa_id>/bokning/forhandsgranska/",
        self_service.unit_booking_preview,
        name="unit_booking_preview",
    ),
    path("enheter/<str:hsa_id>/roller/", self_service.unit_roles_edit, name="unit_roles"),
    path(
        "enheter/<str:hsa_id>/roller/forhandsgranska/",
        self_service.unit_roles_preview,
        name="unit_roles_preview",
    ),
    path("avsteg/", exemption_views.exemption_list, name="exemption_list"),
    path("avsteg/ny/", exemption_views.exemption_new, name="exemption_new"),
    path("avsteg/system/", exemption_views.system, name="exemption_system"),
    path("avsteg/system/ny/", exemption_views.group_new, name="exemption_group_new"),
    path("avsteg/system/<str:group_id>/", exemption_views.group_detail, name="exemption_group"),
    path("avsteg/system/<str:group_id>/atgard/", exemption_views.group_action, name="exemption_group_action"),
    path("avsteg/system/<str:group_id>/andra/", exemption_views.group_edit, name="exemption_group_edit"),
    path(
        "avsteg/system/<str:group_id>/ta-bort/", exemption_views.group_delete, name="exemption_group_delete"
    ),
    path("avsteg/<str:exemption_id>/", exemption_views.exemption_detail, name="exemption_detail"),
    path("avsteg/<str:exemption_id>/beslut/", exemption_views.exemption_decide, name="exemption_decide"),
    path("avsteg/<str:exemption_id>/skicka-in/", exemption_views.exemption_submit, name="exemption_submit"),
    path("avsteg/<str:exemption_id>/aterkalla/", exemption_views.exemption_revoke, name="exemption_revoke"),
    path("avsteg/<str:exemption_id>/andra/", exemption_views.exemption_edit, name="exemption_edit"),
    path("avsteg/<str:exemption_id>/ta-bort/", exemption_views.exemption_delete, name="exemption_delete"),
    path(
        "avsteg/<str:exemption_id>/dra-tillbaka/",
        exemption_views.exemption_withdraw,
        name="exemption_withdraw",
    ),
    path(
        "avsteg/<str:exemption_id>/uppfoljning/<int:pk>/",
        exemption_views.exemption_follow_up,
        name="exemption_follow_up",
    ),
    path("handlingsplan/", actionplan_views.plan, name="actionplan"),
    path("handlingsplan/aktiviteter/ny/", actionplan_views.activity_new, name="actionplan_activity_new"),
    path("handlingsplan/aktiviteter/<int:pk>/", actionplan_views.activity_edit, name="actionplan_activity"),
    path("handlingsplan/mal/ny/", actionplan_views.target_new, name="actionplan_target_new"),
    path("handlingsplan/mal/<int:pk>/", actionplan_views.target_edit, name="actionplan_target"),
    path("handlingsplan/utfasning/", actionplan_views.phase_out_edit, name="actionplan_phase_out"),
    path("handlingsplan/hinder/ny/", actionplan_views.obstacle_new, name="actionplan_obstacle_new"),
    path("handlingsplan/hinder/<int:pk>/", actionplan_views.obstacle_detail, name="actionplan_obstacle"),
    path("rapporter/", report_views.report_list, name="reports"),
    path("rapporter/<int:pk>/", report_views.report_detail, name="report_detail"),
    path("rapporter/enhetskort/<str:hsa_id>/", report_views.unit_scorecard, name="report_unit_scorecard"),
    path("rapporter/<int:pk>/status/", report_views.report_status, name="report_status"),
    path("rapporter/<int:pk>/hamta/", report_views.report_download, name="report_download"),
    path("granskning/", audit_views.audit_trail, name="audit_trail"),
    path("granskning/export.csv", audit_views.audit_export_csv, name="audit_export_csv"),
    *rulebook_urls.urlpatterns,
]
