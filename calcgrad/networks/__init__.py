"""Neural networks: architecture and spec files, the symbolic chain rule, the numeric walkthrough."""
