"""Small pieces the command-line layer shares (the CLI and the preview server)."""
from __future__ import annotations

import os
from datetime import datetime, timezone


def build_time() -> datetime:
    """The build's 'now': SOURCE_DATE_EPOCH where set (reproducible builds), else the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return datetime.now(timezone.utc).replace(microsecond=0)
