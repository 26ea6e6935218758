#!/usr/bin/env python3
"""png_colors.py PNG COLOR...: for each COLOR (an hsl(h,s%,l%) or #rrggbb), how many pixels of the
PNG are within a small distance of it, one count per line. Standard library only (zlib), 8-bit
RGB/RGBA non-interlaced PNGs, as Chromium's screenshots are."""
import colorsys
import re
import struct
import sys
import zlib


def read_png(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0, f"unsupported PNG {header}"
    bpp = 3 if color == 2 else 4
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1: line[i] = (line[i] + a) & 255
            elif kind == 2: line[i] = (line[i] + b) & 255
            elif kind == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return width, height, bpp, rows


def parse(color):
    m = re.fullmatch(r"hsl\((\d+),(\d+)%,(\d+)%\)", color)
    if m:
        h, s, l = (int(x) for x in m.groups())
        return tuple(round(v * 255) for v in colorsys.hls_to_rgb(h / 360, l / 100, s / 100))
    return tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))


width, height, bpp, rows = read_png(sys.argv[1])
targets = [parse(c) for c in sys.argv[2:]]
counts = [0] * len(targets)
for line in rows:
    for x in range(0, width * bpp, bpp):
        r, g, b = line[x], line[x + 1], line[x + 2]
        for i, (tr, tg, tb) in enumerate(targets):
            if abs(r - tr) + abs(g - tg) + abs(b - tb) <= 12:
                counts[i] += 1
print("\n".join(map(str, counts)))
