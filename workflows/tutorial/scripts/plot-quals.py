"""Histogram of the QUAL column of a VCF file, written as an SVG image.

Run by the workflow's `plot_quals` rule through `script:`, which provides the `snakemake` object
(`snakemake.input[0]` is the VCF, `snakemake.output[0]` the SVG). Also runs by hand:
    python3 scripts/plot-quals.py calls/all.vcf plots/quals.svg
Uses only the Python standard library (no matplotlib), so it runs under any python3.
"""
import gzip
import os
import sys
from xml.sax.saxutils import escape


def read_quals(path):
    """QUAL values of all records; records whose QUAL is '.' are skipped."""
    opener = gzip.open if path.endswith(".gz") else open
    quals = []
    with opener(path, "rt") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            qual = line.split("\t")[5]
            if qual != ".":
                quals.append(float(qual))
    return quals


def histogram(values, bins):
    if not values:
        return 0.0, 1.0, [0] * bins
    lo, hi = min(values), max(values)
    if hi == lo:
        hi = lo + 1.0
    width = (hi - lo) / bins
    counts = [0] * bins
    for v in values:
        counts[min(int((v - lo) / width), bins - 1)] += 1
    return lo, width, counts


def render_svg(values, title, bins=20, w=640, h=400, margin=56):
    lo, width, counts = histogram(values, bins)
    top = max(counts) or 1
    plot_w, plot_h = w - 2 * margin, h - 2 * margin
    bar_w = plot_w / bins
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}"'
        ' font-family="sans-serif" font-size="12">',
        f'<rect width="{w}" height="{h}" fill="white"/>',
        f'<text x="{w / 2}" y="{margin / 2}" text-anchor="middle" font-size="15">{escape(title)}</text>',
    ]
    for i, c in enumerate(counts):
        bh = plot_h * c / top
        x = margin + i * bar_w
        y = margin + plot_h - bh
        out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 1:.1f}" height="{bh:.1f}" fill="#4a7ab5">'
                   f'<title>{lo + i * width:.1f}–{lo + (i + 1) * width:.1f}: {c}</title></rect>')
    # axes, with ticks at the ends and the middle
    x0, y0 = margin, margin + plot_h
    out.append(f'<line x1="{x0}" y1="{y0}" x2="{x0 + plot_w}" y2="{y0}" stroke="black"/>')
    out.append(f'<line x1="{x0}" y1="{margin}" x2="{x0}" y2="{y0}" stroke="black"/>')
    for frac in (0.0, 0.5, 1.0):
        xv = lo + frac * width * bins
        out.append(f'<text x="{x0 + frac * plot_w:.1f}" y="{y0 + 16}" text-anchor="middle">{xv:.0f}</text>')
        out.append(f'<text x="{x0 - 6}" y="{y0 - frac * plot_h + 4:.1f}" text-anchor="end">{frac * top:.0f}</text>')
    out.append(f'<text x="{w / 2}" y="{h - 12}" text-anchor="middle">QUAL</text>')
    out.append(f'<text x="14" y="{h / 2}" text-anchor="middle" transform="rotate(-90 14 {h / 2})">variants</text>')
    out.append("</svg>\n")
    return "\n".join(out)


def main(vcf, svg):
    quals = read_quals(vcf)
    os.makedirs(os.path.dirname(svg) or ".", exist_ok=True)
    with open(svg, "w") as f:
        f.write(render_svg(quals, f"QUAL of {len(quals)} variant calls in {os.path.basename(vcf)}"))


if "snakemake" in globals():
    main(snakemake.input[0], snakemake.output[0])  # noqa: F821 (provided by the workflow engine)
elif __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: plot-quals.py IN.vcf OUT.svg")
    main(sys.argv[1], sys.argv[2])
