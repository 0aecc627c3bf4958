"""Part 2 of the course: production RAG over a real corpus (the documentation shipped with Python)."""
