check --jobs 4
