seek --help
