"""The FAB user, extended with the one organisation every user belongs to."""
from flask_appbuilder.security.sqla.models import User as FabUser
from sqlalchemy import Column, ForeignKey, Integer
from sqlalchemy.orm import relationship


class OrgUser(FabUser):
    """A FAB user who belongs to exactly one organisation."""

    __tablename__ = "ab_user"

    organization_id = Column(Integer, ForeignKey("organization.id"), index=True)
    organization = relationship("Organization", lazy="joined")

    @property
    def role_names(self) -> set[str]:
        return {role.name for role in self.roles}
