"""`/api/model_references/statistics/…`: category statistics and the live AI-Horde reports."""
