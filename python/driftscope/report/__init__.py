"""Renderers: they draw summaries (profiles, drift reports), never raw rows."""
