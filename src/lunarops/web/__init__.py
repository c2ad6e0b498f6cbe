"""The web dashboard: the run catalog, shared with partner organizations (``lunarops serve``)."""

from lunarops.web.access import AccessPolicy, add_user, load_access, remove_user, rotate_token
from lunarops.web.app import create_app

__all__ = ["AccessPolicy", "add_user", "create_app", "load_access", "remove_user", "rotate_token"]
