"""`python -m server …` is the `sira` command."""

from server.cli import main

main()
