"""Streamlit dashboard (issue 5)."""
