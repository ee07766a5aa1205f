rate --uncertainty --variants 200 --format table scenarios/councils/demo-0-star.yaml scenarios/councils/demo-3-star.yaml scenarios/councils/durham-2003.yaml
