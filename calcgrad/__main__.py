from calcgrad.cli import run

run()
