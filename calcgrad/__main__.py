from calcgrad.cli import main

main()
