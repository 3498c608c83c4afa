"""Pure domain rules: no Flask, no database session. Plain values in, plain values out."""
