"""The analytics app's one writer: the AI-Horde usage snapshot (refresh.py)."""

from apps.analytics.services.refresh import RefreshOutcome, snapshot_rematch, usage_refresh

__all__ = ["RefreshOutcome", "snapshot_rematch", "usage_refresh"]
