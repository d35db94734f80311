from . import models
from . import tools


def post_init_hook(env):
    """Give every existing warehouse its monitoring site."""
    env["stock.warehouse"].with_context(active_test=False).search([])._wfmon_ensure_site()
