"""Settings entry point.

`SALESDESK_ENV=production` (or `DJANGO_SETTINGS_MODULE=config.settings_production`) selects the
production settings; anything else gets the development defaults from `config.settings_base`.
"""

import os

if os.environ.get("SALESDESK_ENV") == "production":
    from config.settings_production import *  # noqa: F403
else:
    from config.settings_base import *  # noqa: F403
