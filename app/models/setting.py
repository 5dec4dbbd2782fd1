"""Settings an administrator edits without code (low-code): deadlines, case numbers, site name."""
from dataclasses import dataclass

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, String, select

from app.extensions import db


@dataclass(frozen=True)
class SettingDef:
    key: str
    label: object
    default: int | str
    description: object = ""


SETTINGS = (
    SettingDef("site_name", _l("Site name"), "打非通"),
    SettingDef("case_number_prefix", _l("Case number prefix"), "SG", _l("Case numbers look like SG-2026-000123")),
    SettingDef("village_report_days", _l("Village report deadline (days)"), 2, _l("Days from discovery to the report reaching the township")),
    SettingDef("township_escalation_days", _l("Township escalation deadline (days)"), 2, _l("Days from a village report arriving to escalation to the county")),
    SettingDef("department_ack_days", _l("Department acknowledgement deadline (days)"), 1, _l("Days from dispatch to the department reporting in")),
    SettingDef("resolution_days", _l("Resolution deadline (days)"), 15, _l("Days from assignment or acknowledgement to resolution")),
)
SETTINGS_BY_KEY = {s.key: s for s in SETTINGS}


class Setting(Model):
    __tablename__ = "setting"

    key = Column(String(50), primary_key=True)
    value = Column(String(200), nullable=False)


def get_setting(key: str) -> int | str:
    """The stored value of a setting, typed like its default; the default when none is stored."""
    definition = SETTINGS_BY_KEY[key]
    stored = db.session.execute(select(Setting.value).where(Setting.key == key)).scalar()
    if stored is None:
        return definition.default
    return type(definition.default)(stored)


def save_settings(values: dict) -> None:
    """Store every given setting in one transaction."""
    unknown = set(values) - set(SETTINGS_BY_KEY)
    if unknown:
        raise KeyError(f"unknown settings: {sorted(unknown)}")
    for key, value in values.items():
        row = db.session.get(Setting, key) or Setting(key=key)
        row.value = str(value)
        db.session.add(row)
    db.session.commit()
