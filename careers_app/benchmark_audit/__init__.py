"""Benchmark audit of practice: self-evaluation against the Gatsby Benchmarks (issue 6)."""
