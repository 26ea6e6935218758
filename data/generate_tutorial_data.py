#!/usr/bin/env python3
"""Generate the input data of flow's example workflow (workflows/tutorial), deterministically.

Writes, under --out (default: workflows/tutorial/data):
  genome.fa              a random reference genome (default 2 chromosomes x 20,000 bp)
  samples/<S>.fastq      single-end reads for each sample (default A, B, C; 5,000 reads of 100 bp)
  planted_snps.tsv       the truth: SNPs planted into the samples' genomes, with each sample's genotype

Every sample is diploid: each read is drawn from one of its two haplotypes, so a planted SNP is
heterozygous (0/1) or homozygous (1/1) in that sample, or absent (0/0). Reads come from both strands
and carry a small rate of sequencing errors, so `bcftools call -mv` finds the planted SNPs and little else.

The same arguments always give byte-identical files (one seeded random generator, no clock, no hash order).
Files whose content is already right are not rewritten, so their mtimes stay and a finished workflow stays
up to date. Uses only the Python standard library.
"""
import argparse
import os
import random
import sys

BASES = "ACGT"
COMPLEMENT = str.maketrans("ACGT", "TGCA")


def parse_args(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    default_out = os.path.join(os.path.dirname(here), "workflows", "tutorial", "data")
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default=default_out, help="output folder (default: %(default)s)")
    p.add_argument("--seed", type=int, default=20261121, help="random seed (default: %(default)s)")
    p.add_argument("--chromosomes", type=int, default=2, help="number of chromosomes (default: %(default)s)")
    p.add_argument("--length", type=int, default=20_000, help="bases per chromosome (default: %(default)s)")
    p.add_argument("--samples", default="A,B,C", help="comma-separated sample names (default: %(default)s)")
    p.add_argument("--reads", type=int, default=5_000, help="reads per sample (default: %(default)s)")
    p.add_argument("--read-length", type=int, default=100, help="read length (default: %(default)s)")
    p.add_argument("--snps", type=int, default=8, help="SNPs planted per chromosome (default: %(default)s)")
    p.add_argument("--error-rate", type=float, default=0.002, help="per-base error rate (default: %(default)s)")
    return p.parse_args(argv)


def write_if_changed(path, text):
    """Write text to path unless the file already holds exactly that text. Returns True if written."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    data = text.encode("ascii")
    try:
        with open(path, "rb") as f:
            if f.read() == data:
                return False
    except FileNotFoundError:
        pass
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return True


def make_genome(rng, n_chrom, length):
    return {f"chr{i + 1}": "".join(rng.choice(BASES) for _ in range(length)) for i in range(n_chrom)}


def plant_snps(rng, genome, per_chrom, samples):
    """Returns [(chrom, pos0, ref, alt, {sample: alt_copies})], sorted by chrom and position."""
    snps = []
    for chrom, seq in genome.items():
        # Evenly spaced slots with jitter keep SNPs apart (one read rarely covers two) and off the ends.
        slot = len(seq) // (per_chrom + 1)
        for k in range(per_chrom):
            pos = slot * (k + 1) + rng.randrange(-slot // 4, slot // 4)
            ref = seq[pos]
            alt = rng.choice([b for b in BASES if b != ref])
            genotypes = {s: rng.choice([0, 1, 1, 2]) for s in samples}
            if all(g == 0 for g in genotypes.values()):
                genotypes[samples[k % len(samples)]] = 2
            snps.append((chrom, pos, ref, alt, genotypes))
    return snps


def haplotypes(genome, snps, sample):
    """The sample's two haplotypes per chromosome: SNPs with 2 copies go in both, with 1 copy in the first."""
    haps = {}
    for chrom, seq in genome.items():
        h = [list(seq), list(seq)]
        for c, pos, _ref, alt, gts in snps:
            if c != chrom:
                continue
            for copy in range(gts[sample]):
                h[copy][pos] = alt
        haps[chrom] = ["".join(x) for x in h]
    return haps


def simulate_reads(rng, haps, sample, n_reads, read_len, error_rate):
    chroms = sorted(haps)
    weights = [len(haps[c][0]) for c in chroms]
    lines = []
    for i in range(n_reads):
        chrom = rng.choices(chroms, weights)[0]
        hap = haps[chrom][rng.randrange(2)]
        start = rng.randrange(len(hap) - read_len + 1)
        read = list(hap[start:start + read_len])
        for j in range(read_len):
            if rng.random() < error_rate:
                read[j] = rng.choice([b for b in BASES if b != read[j]])
        seq = "".join(read)
        if rng.random() < 0.5:
            seq = seq.translate(COMPLEMENT)[::-1]
        # Phred qualities 25..40, lower towards the 3' end, as real short reads tend to be.
        qual = "".join(chr(33 + max(25, 40 - j // 10 - rng.randrange(4))) for j in range(read_len))
        lines.append(f"@{sample}.{i + 1} {chrom}:{start + 1}\n{seq}\n+\n{qual}\n")
    return "".join(lines)


def fasta(genome, width=60):
    out = []
    for chrom, seq in genome.items():
        out.append(f">{chrom}\n")
        out.extend(seq[i:i + width] + "\n" for i in range(0, len(seq), width))
    return "".join(out)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    samples = [s for s in args.samples.split(",") if s]
    if args.length < 10 * args.read_length or not samples:
        sys.exit("need --length >= 10 x --read-length and at least one sample")
    rng = random.Random(args.seed)
    genome = make_genome(rng, args.chromosomes, args.length)
    snps = plant_snps(rng, genome, args.snps, samples)

    written = []
    path = os.path.join(args.out, "genome.fa")
    if write_if_changed(path, fasta(genome)):
        written.append(path)
    truth = ["#chrom\tpos\tref\talt\t" + "\t".join(samples) + "\n"]
    for chrom, pos, ref, alt, gts in snps:
        calls = "\t".join({0: "0/0", 1: "0/1", 2: "1/1"}[gts[s]] for s in samples)
        truth.append(f"{chrom}\t{pos + 1}\t{ref}\t{alt}\t{calls}\n")
    path = os.path.join(args.out, "planted_snps.tsv")
    if write_if_changed(path, "".join(truth)):
        written.append(path)
    for sample in samples:
        # One generator per sample, seeded from the main one: a sample's reads do not depend on the others'.
        sample_rng = random.Random(rng.randrange(2**32))
        reads = simulate_reads(sample_rng, haplotypes(genome, snps, sample), sample,
                               args.reads, args.read_length, args.error_rate)
        path = os.path.join(args.out, "samples", f"{sample}.fastq")
        if write_if_changed(path, reads):
            written.append(path)

    print(f"{args.out}: {len(genome)} chromosomes x {args.length} bp, {len(samples)} samples x "
          f"{args.reads} reads, {len(snps)} planted SNPs; "
          + (f"wrote {len(written)} file(s)" if written else "all files already up to date"))


if __name__ == "__main__":
    main()
