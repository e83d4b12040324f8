"""Peak memory and time of joining a long report's PDF parts (lib.pdf), at the report's size
for a plan of 5,000 indicators by default: 50 parts of 100 indicator blocks.

A part is laid out once by WeasyPrint from HTML shaped like the report's blocks (a heading,
a vector chart of some hundred paths and a narrative each; headings at three bookmark levels),
then the same bytes are joined `--parts` times, in a child process so that its peak resident
memory (ru_maxrss) is the join's alone. Printed: the part's and the joined file's size, the
seconds of the join, the child's peak and its growth over the memory held before the join.

    python bench/pdf_join.py [--parts 50] [--blocks 100]
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lib.pdf import PdfJoin  # noqa: E402 - after the project's root is on the path


def part_html(blocks: int, part: int) -> str:
    body = [f"<h2>Objetivo {part} (continuación)</h2>"]
    for n in range(blocks):
        # Each block's own chart: a few hundred segments and labels, as the report draws them.
        points = [((n * 7919 + i * 104729) % 9973) / 100 for i in range(300)]
        paths = "".join(
            f'<path d="M{i * 1.3:.1f} {y:.2f} L{i * 1.3 + 1.3:.1f} {points[i + 1]:.2f}" '
            'stroke="#1f4e79"/>'
            for i, y in enumerate(points[:-1])
        )
        labels = "".join(
            f'<text x="{i * 40}" y="115" font-size="8">{2000 + i + n % 7}</text>' for i in range(10)
        )
        chart = f'<svg width="400" height="120" viewBox="0 0 400 120">{paths}{labels}</svg>'
        if n % 10 == 0:
            body.append(f"<h3>Tabla {part}.{n}</h3>")
        narrative = (
            "Análisis del avance: el indicador avanzó según lo previsto en la meta anual, "
            "con observaciones de la dirección responsable. "
        ) * 3
        body.append(
            f"<div style='page-break-inside: avoid'><h4>IND-{part}-{n} Indicador de prueba "
            f"número {n}</h4>{chart}<p>{narrative}</p></div>"
        )
    return (
        "<html lang='es'><head><title>Reporte de seguimiento</title>"
        "<meta name='author' content='Ministerio'></head><body>" + "".join(body) + "</body></html>"
    )


def make_part(blocks: int) -> bytes:
    from weasyprint import HTML  # heavy: only the parent lays the part out

    return HTML(string=part_html(blocks, 1)).write_pdf()


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from the
    parent across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("VmHWM not found in /proc/self/status")


def measure(part_file: str, parts: int) -> dict[str, float]:
    """In the child: join `parts` copies of the part into a temporary file."""
    pdf = Path(part_file).read_bytes()
    # The bookmarks' levels as the report passes them (here the part's own nesting, from 2).
    levels: list[int] = []

    def walk(outline: list[object], level: int) -> None:
        for item in outline:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                levels.append(level)

    walk(PdfReader(io.BytesIO(pdf)).outline, 2)
    before = peak_mb()
    start = time.perf_counter()
    with tempfile.TemporaryFile() as target:
        joined = PdfJoin(target)
        for _ in range(parts):
            joined.add(pdf, levels=levels)
        joined.finish()
        size = target.tell()
    seconds = time.perf_counter() - start
    peak = peak_mb()
    return {"seconds": seconds, "peak_mb": peak, "growth_mb": peak - before, "size_mb": size / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", type=int, default=50)
    parser.add_argument("--blocks", type=int, default=100)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.parts)))
        return
    with tempfile.NamedTemporaryFile(suffix=".pdf") as part:
        content = make_part(args.blocks)
        part.write(content)
        part.flush()
        out = subprocess.run(
            [sys.executable, __file__, "--parts", str(args.parts), "--child", part.name],
            capture_output=True,
            check=True,
            text=True,
        )
    figures = json.loads(out.stdout)
    print(
        f"part: {len(content) / 1e6:.2f} MB ({args.blocks} blocks); "
        f"joined {args.parts} parts: {figures['size_mb']:.1f} MB in {figures['seconds']:.1f} s; "
        f"peak RSS {figures['peak_mb']:.0f} MB (+{figures['growth_mb']:.0f} MB during the join)"
    )


if __name__ == "__main__":
    main()
