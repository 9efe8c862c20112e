"""The charts of *Kết quả công nhận* as PNG images for a document (altair → vl-convert).

The charts themselves are the screen's (services/presentation/result_charts.py), so the report
shows exactly what officers see; here they only get the documents' serif font and a print size.
"""

from __future__ import annotations

import altair as alt
import vl_convert

FONT = "Liberation Serif, Times New Roman, serif"
WIDTH = 520


def png(chart: alt.TopLevelMixin) -> bytes:
    """Render an altair chart to PNG (twice the pixels, for print)."""
    spec = chart.properties(width=WIDTH).configure(font=FONT).to_dict()
    return vl_convert.vegalite_to_png(spec, scale=2)
