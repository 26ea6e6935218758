#!/usr/bin/env python3
"""Checks that each target's dependencies in Package.swift are exactly the flow targets and
products it imports (the platform's modules aside), so that the
module graph written down is the one the code has. Exit 1 with the differences, else 0."""
import os, re, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
package = open(os.path.join(root, "Package.swift")).read()
PRODUCTS = {"ArgumentParser": "ArgumentParser"}   # import name -> dependency name in Package.swift

targets = {}
for m in re.finditer(r'\.(target|executableTarget|testTarget)\(name: "([^"]+)"(?:, dependencies: \[(.*?)\])?', package, re.S):
    kind, name, deps = m.groups()
    names = set(re.findall(r'"([A-Za-z0-9_]+)"', deps or ""))
    names |= set(re.findall(r'\.product\(name: "([^"]+)"', deps or ""))
    names -= {"swift-argument-parser"}
    folder = "Tests" if kind == "testTarget" else "Sources"
    targets[name] = (os.path.join(root, folder, name), names)

failures = []
for name, (folder, declared) in sorted(targets.items()):
    imported = set()
    for dirpath, _, files in os.walk(folder):
        for f in files:
            if f.endswith(".swift"):
                for line in open(os.path.join(dirpath, f)):
                    m = re.match(r'\s*(?:@testable\s+)?import\s+([A-Za-z0-9_]+)', line)
                    # Only modules of this package count: Python text inside Swift strings
                    # ("import os") is not an import.
                    if m and (m.group(1) in targets or m.group(1) in PRODUCTS):
                        imported.add(PRODUCTS.get(m.group(1), m.group(1)))
    if not any(f.endswith(".swift") for _, _, fs in os.walk(folder) for f in fs):
        continue   # system library targets (C modules) declare what they link instead
    # C shims are linked, not always imported by name from Swift.
    missing = imported - declared
    unused = {d for d in declared - imported if not d.startswith("C")}
    if missing or unused:
        failures.append(f"{name}: imports but does not declare {sorted(missing)}; declares but does not import {sorted(unused)}")

if failures:
    print("Package.swift dependencies differ from imports:\n  " + "\n  ".join(failures))
    sys.exit(1)
print(f"Package.swift: dependencies of {len(targets)} targets match their imports")
