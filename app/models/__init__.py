"""Every table of 打非通; importing this package registers them with the metadata."""
from app.models.organization import KINDS, PARENT_KINDS, Organization, placement_error  # noqa: F401
from app.models.user import OrgUser  # noqa: F401
from app.models.category import Category, RoutingRule, routing_error  # noqa: F401
from app.models.setting import SETTINGS, Setting, get_setting, save_settings  # noqa: F401
from app.models.report import (OPEN_STATES, SOURCES, STATES, Attachment, Enforcement,  # noqa: F401
                               Report, ReportEvent)
from app.models.notification import Notification, NotificationRead  # noqa: F401
from app.models.document import DOCUMENT_KINDS, Document  # noqa: F401
