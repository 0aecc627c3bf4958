"""ML System Design Playground core package (no Streamlit)."""
