"""Round-trip figures per variant × form × shape (the measurement behind the round-trip tests' floors).

    PYTHONPATH=src python tests/roundtrip_figures.py [shapes,comma,separated] [variants] [n_random]

Value sets: every expected file of the form whose cells are all known, plus ``n_random`` random sets (seed 11)
that obey the tables' arithmetic; variants: plain, nulls (zeros written as '', '-', '/', '无'), labels
(short labels, half-width or no numbering), wrap (labels wrapped over two lines in space-aligned text).
Run it against another checkout's src/ to compare readers. A few minutes on one core.
"""

import random
import sys
import tempfile
from pathlib import Path

from govreport.config import SHARED_CORPUS_DIR
from govreport.ingest import read_document
from govreport.tables import parse_tables
from govreport.tables.render import SHAPES, RoundTrip, Style, layout, score, with_nulls, write_rendering
from test_roundtrip import value_sets

TEMPLATE = SHARED_CORPUS_DIR / "templates" / "v2021_template.docx"


def main() -> None:
    shapes = sys.argv[1].split(",") if len(sys.argv) > 1 else list(SHAPES)
    variants = sys.argv[2].split(",") if len(sys.argv) > 2 else ["plain", "nulls", "labels", "wrap"]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    tmp = Path(tempfile.mkdtemp())
    for variant in variants:
        for form in ("v2021", "v2019", "pre2019"):
            for shape in shapes:
                total, rng = RoundTrip(), random.Random(7)
                for i, values in enumerate(value_sets(form, 11, n_random=n, n_expected=None)):
                    style = Style()
                    if variant == "nulls":
                        values = with_nulls(values, rng)
                        style = Style(null=rng.choice(["", "", "-", "/", "无"]))
                    elif variant == "labels":
                        style = Style(numbering=rng.choice(["half", "none"]), short_labels=True)
                    elif variant == "wrap":
                        style = Style(wrap=8)
                    lay = layout(form, values, style)
                    template = TEMPLATE if shape == "docx" and form == "v2021" and variant == "plain" else None
                    path = write_rendering(lay, shape, tmp, f"{form}_{shape}_{variant}_{i}", style, template)
                    total.add(score(parse_tables(read_document(path)), lay.values, form))
                print(f"{variant:7} {form:8} {shape:17} docs={total.documents} form_ok={total.form_ok} "
                      f"cells={total.cells} correct={total.correct} wrong={total.wrong} unc={total.uncertain} "
                      f"miss={total.missing} exact={total.exact:.3f}", flush=True)


if __name__ == "__main__":
    main()
