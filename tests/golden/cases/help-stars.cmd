stars --help
