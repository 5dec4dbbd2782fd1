"""Demo data (DESIGN §10): 示范县, 沙沟镇 and its units, six villages, categories, routing, accounts."""
from flask import current_app

from app.extensions import db
from app.models import Category, Organization, RoutingRule
from app.models.category import NOTICE_CATEGORIES

COUNTY = "示范县"
TOWNSHIP = "沙沟镇"
DEPARTMENTS = ("应急管理局", "自然资源局", "住房和城乡建设局", "市场监督管理局", "公安局",
               "生态环境局", "商务局", "供电公司", "水务局")
COMMITTEES = ("工矿商贸安全专委会", "建设工程安全专委会", "危险化学品安全专委会", "自然资源安全专委会")
STATIONS = ("国土资源所",)
# district → villages; the first village is village A, the second village B.
DISTRICTS = {
    "东部管理区": ("沙沟村", "前湖村", "后湖村"),
    "西部管理区": ("张庄村", "李庄村", "沙沟社区"),
}
# category → (township lead committee, county lead department, assisting departments)
ROUTING = {
    "非法建设": ("建设工程安全专委会", "住房和城乡建设局", ("自然资源局", "供电公司", "水务局")),
    "非法采矿": ("自然资源安全专委会", "自然资源局", ("公安局", "生态环境局")),
    "非法经营液化气、汽油、柴油": ("工矿商贸安全专委会", "商务局", ("市场监督管理局", "应急管理局")),
    "非法生产小化工、小医药": ("危险化学品安全专委会", "应急管理局", ("市场监督管理局", "生态环境局")),
    "非法存储危险化学品": ("危险化学品安全专委会", "应急管理局", ("公安局",)),
    "非法制作经营烟花爆竹": ("危险化学品安全专委会", "应急管理局", ("公安局", "市场监督管理局")),
    "其他": ("工矿商贸安全专委会", "应急管理局", ()),
}
# username → (role, organisation, full name)
ACCOUNTS = {
    "admin": ("Admin", COUNTY, "系统管理员"),
    "grid_a": ("GridWorker", "沙沟村", "王网格"),
    "head_a": ("VillageHead", "沙沟村", "李支书"),
    "grid_b": ("GridWorker", "前湖村", "赵网格"),
    "township": ("TownshipOffice", TOWNSHIP, "周安办"),
    "committee": ("Handler", "工矿商贸安全专委会", "吴专委"),
    "county": ("CountyOffice", COUNTY, "郑县安办"),
    "dept_a": ("Department", "应急管理局", "孙应急"),
    "dept_b": ("Department", "自然资源局", "钱自然"),
    "leader": ("Leader", TOWNSHIP, "冯镇长"),
}


class _Seeder:
    def __init__(self):
        self.created = 0
        self.units: dict[str, Organization] = {}

    def unit(self, name, kind, parent=None, code=None, **extra) -> Organization:
        found = db.session.query(Organization).filter_by(name=name, kind=kind).one_or_none()
        if found is None:
            found = Organization(name=name, kind=kind, parent=parent, code=code, **extra)
            db.session.add(found)
            db.session.flush()
            self.created += 1
        self.units[name] = found
        return found

    def tree(self):
        county = self.unit(COUNTY, "county", code="370000000000", principal="县安委会办公室")
        for name in DEPARTMENTS:
            self.unit(name, "department", county)
        township = self.unit(TOWNSHIP, "township", county, code="370000100000",
                             principal="镇安委会办公室", phone="0531-8888001")
        for name in COMMITTEES:
            self.unit(name, "committee", township)
        for name in STATIONS:
            self.unit(name, "station", township)
        serial = 0
        for district, villages in DISTRICTS.items():
            parent = self.unit(district, "district", township)
            for village_name in villages:
                serial += 1
                village = self.unit(village_name, "village", parent, code=f"370000100{serial:03d}",
                                    principal=f"{village_name}党支部书记", phone=f"1380000{serial:04d}")
                for g in (1, 2):
                    self.unit(f"{village_name}第{g}网格", "grid", village)

    def categories(self):
        for order, name in enumerate(NOTICE_CATEGORIES, start=1):
            if db.session.query(Category).filter_by(name=name).one_or_none() is None:
                db.session.add(Category(name=name, sort_order=order))
                self.created += 1
        db.session.flush()

    def routing(self):
        for category_name, (committee, department, assisting) in ROUTING.items():
            category = db.session.query(Category).filter_by(name=category_name).one()
            for area, lead, helpers in ((self.units[TOWNSHIP], committee, ()),
                                        (self.units[COUNTY], department, assisting)):
                if db.session.query(RoutingRule).filter_by(category=category, area=area).one_or_none():
                    continue
                db.session.add(RoutingRule(category=category, area=area, lead=self.units[lead],
                                           assisting=[self.units[h] for h in helpers]))
                self.created += 1

    def accounts(self, password):
        sm = current_app.appbuilder.sm
        for username, (role_name, unit_name, full_name) in ACCOUNTS.items():
            if sm.find_user(username=username):
                continue
            role = sm.find_role(role_name)
            if role is None:
                raise RuntimeError(f"role {role_name} is missing: run `flask sync-roles` first")
            user = sm.add_user(username, full_name[0], full_name[1:], f"{username}@demo.invalid", role,
                               password=password)
            user.organization = self.units[unit_name]
            self.created += 1


def seed(password: str) -> int:
    """Create whatever of the demo is missing; returns the number of new records."""
    seeder = _Seeder()
    seeder.tree()
    seeder.categories()
    seeder.routing()
    db.session.commit()
    seeder.accounts(password)
    db.session.commit()
    return seeder.created
