"""Every view and API of 打非通 is registered here, in menu order."""
from flask_appbuilder import AppBuilder
from flask_babel import lazy_gettext as _l

from app.api.attachment import AttachmentApi
from app.api.category import CategoryApi
from app.api.document import DocumentApi
from app.api.notification import NotificationApi
from app.api.organization import OrganizationApi
from app.api.report import ReportApi, ReportEventApi
from app.views.category import CategoryView, RoutingRuleView
from app.views.organization import KIND_VIEWS
from app.views.organization_import import OrganizationImportView
from app.views.documents import DocumentView, TownshipLedgerView, VillageLedgerView
from app.views.lookup import LookupView
from app.views.notification import MessagesView, OutboxView
from app.views.report import InboxView, ReportView
from app.views.settings import SettingsView

ORGANIZATIONS = "Organizations"
CONFIGURATION = "Configuration"
CASES = "Cases"
LEDGERS = "Ledgers"


def register_views(appbuilder: AppBuilder) -> None:
    """Add every view (English names: they are permission keys) and every API."""
    appbuilder.add_view(InboxView, "Inbox", label=_l("My work queue"), icon="fa-inbox", category=CASES,
                        category_label=_l("Cases"), category_icon="fa-folder-open")
    reports = appbuilder.add_view(ReportView, "Reports", label=_l("All cases"), icon="fa-list", category=CASES)
    appbuilder.add_link("New report", label=_l("New village report"), href="/report/add", icon="fa-plus",
                        category=CASES, baseview=reports)
    appbuilder.add_view(VillageLedgerView, "Village ledger", label=_l("Village ledger"), icon="fa-book",
                        category=LEDGERS, category_label=_l("Ledgers"), category_icon="fa-book")
    appbuilder.add_view(TownshipLedgerView, "Township ledger", label=_l("Township ledger"), icon="fa-book",
                        category=LEDGERS)
    appbuilder.add_view(DocumentView, "Documents", label=_l("Documents"), icon="fa-file-pdf-o", category=LEDGERS)
    appbuilder.add_view(MessagesView, "Messages", label=_l("Messages"), icon="fa-bell")
    for view in KIND_VIEWS:
        appbuilder.add_view(view, view.__name__.removesuffix("View"), label=view.list_title,
                            icon="fa-sitemap", category=ORGANIZATIONS, category_label=_l("Organizations"),
                            category_icon="fa-sitemap")
    appbuilder.add_view(OrganizationImportView, "Import organizations", label=_l("Import organisations"),
                        icon="fa-upload", category=ORGANIZATIONS)
    appbuilder.add_view(CategoryView, "Categories", label=_l("Categories"), icon="fa-tags",
                        category=CONFIGURATION, category_label=_l("Configuration"), category_icon="fa-cogs")
    appbuilder.add_view(RoutingRuleView, "Routing rules", label=_l("Routing rules"), icon="fa-random",
                        category=CONFIGURATION)
    appbuilder.add_view(SettingsView, "Settings", label=_l("Settings"), icon="fa-sliders",
                        category=CONFIGURATION)
    appbuilder.add_view(OutboxView, "Outbox", label=_l("Outbox"), icon="fa-envelope", category=CONFIGURATION)
    appbuilder.add_view_no_menu(LookupView)
    appbuilder.add_api(OrganizationApi)
    appbuilder.add_api(CategoryApi)
    appbuilder.add_api(ReportApi)
    appbuilder.add_api(ReportEventApi)
    appbuilder.add_api(AttachmentApi)
    appbuilder.add_api(NotificationApi)
    appbuilder.add_api(DocumentApi)
