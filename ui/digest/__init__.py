"""Email digests: select what is new for each recipient, render it, send it exactly once."""
