from synthrl.cli import main

main()
