#!/usr/bin/env python3
"""Compare the example workflow's variant calls with the SNPs the data generator planted.

Usage: check_tutorial_calls.py CALLS.vcf PLANTED.tsv [--min-found FRACTION]
Prints how many planted SNPs were called (same position and alleles) and with which genotypes, and how
many calls match nothing planted. Exits 1 when fewer than FRACTION (default 0.9) of the planted SNPs were found.
Standard library only.
"""
import argparse
import sys


def read_vcf(path):
    calls, samples = {}, []
    with open(path) as f:
        for line in f:
            if line.startswith("##"):
                continue
            cols = line.rstrip("\n").split("\t")
            if line.startswith("#"):
                samples = cols[9:]
                continue
            gts = {s: v.split(":")[0] for s, v in zip(samples, cols[9:])}
            calls[(cols[0], int(cols[1]))] = (cols[3], cols[4], gts)
    return calls


def read_truth(path):
    truth = {}
    with open(path) as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            cols = line.rstrip("\n").split("\t")
            truth[(cols[0], int(cols[1]))] = (cols[2], cols[3], dict(zip(header[4:], cols[4:])))
    return truth


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("vcf")
    p.add_argument("truth")
    p.add_argument("--min-found", type=float, default=0.9)
    a = p.parse_args()
    calls, truth = read_vcf(a.vcf), read_truth(a.truth)
    found = [k for k, (ref, alt, _) in truth.items() if k in calls and calls[k][:2] == (ref, alt)]
    same_gt = [k for k in found if all(calls[k][2].get(s) == g for s, g in truth[k][2].items())]
    extra = [k for k in calls if k not in truth]
    print(f"{len(found)}/{len(truth)} planted SNPs called ({len(same_gt)} with every genotype right), "
          f"{len(extra)} other call(s)")
    sys.exit(0 if truth and len(found) >= a.min_found * len(truth) else 1)


if __name__ == "__main__":
    main()
