"""Services of the background work: exports.py, github_sync.py, replica.py, schedules.py."""
