rate --format table scenarios/councils/demo-0-star.yaml scenarios/councils/demo-1-star-capped.yaml scenarios/councils/demo-2-star-capped.yaml scenarios/councils/demo-3-star.yaml
