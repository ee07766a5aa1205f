whatif scenarios/councils/bath-ne-somerset-2003.yaml scenarios/whatif/bath-care-leavers-education.yaml scenarios/whatif/bath-adults-reviews.yaml scenarios/whatif/bath-adults-plan.yaml
