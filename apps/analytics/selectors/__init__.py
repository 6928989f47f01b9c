"""Reads of the analytics app: category statistics (statistics.py, SQL over the catalog's typed
columns) and the usage snapshot (usage.py)."""
