rate --files-from - -
