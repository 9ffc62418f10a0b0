"""One module per `calcgrad` command; see calcgrad.cli.COMMANDS."""
