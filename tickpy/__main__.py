"""`python -m tickpy` is the `tickpy` command."""

from tickpy.cli import main

main(prog_name="tickpy")
