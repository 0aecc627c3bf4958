"""Stitch every benchmark section (docs/bench/*.md, written by the bench/ scripts) into
docs/BENCHMARKS.md. Run by hand: `python -m bench.collect`."""

from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


def main() -> None:
    sections = sorted((DOCS / "bench").glob("*.md"))
    head = ("# Benchmarks\n\nMeasured by hand with the scripts in `bench/`; each section names the "
            "machine it ran on. Tests never assert on these times.\n\n")
    body = "\n".join(path.read_text().strip() + "\n" for path in sections)
    (DOCS / "BENCHMARKS.md").write_text(head + body)
    print(f"wrote {DOCS / 'BENCHMARKS.md'} from {len(sections)} sections")


if __name__ == "__main__":
    main()
