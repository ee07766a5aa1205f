-- What changed from 2002 to 2003.

-- The letters now speak of "capacity for improvement" (seeds 001 and 004).
scale {
  id = "capacity",
  name = "capacity for improvement",
  words = {
    { id = "poor",      text = "poor capacity for improvement" },
    { id = "uncertain", text = "uncertain capacity for improvement" },
    { id = "promising", text = "promising capacity for improvement" },
    { id = "excellent", text = "excellent capacity for improvement" },
  },
  source = "'Capacity for Improvement (Standard 6)', annual review letters 2003 (seeds 001, 004)",
}

-- The key set was extended to the Climbié child-protection self-audit and progress on the
-- Race Relations (Amendment) Act. The caps they imposed are not reported.
requirement {
  id = "child_protection_audit", services = { "children" },
  text = "child-protection self-audit after the Victoria Climbié Inquiry satisfactory",
  source = "key set extended in 2003 (Community Care, 21 Nov 2003; seed 004)",
}

requirement {
  id = "race_equality", services = { "children", "adults" },
  text = "duties under the Race Relations (Amendment) Act met",
  source = "key set extended in 2003 (Community Care, 21 Nov 2003)",
}

cap {
  id = "child-protection-audit", service = "children", judgement = "serving", to = "some",
  requirement = "child_protection_audit",
  sentence = "the child-protection self-audit was not satisfactory",
  reconstructed = "the cap is not reported; assumed to act like the 2002 children's key thresholds (at most 'some')",
}

cap {
  id = "race-equality-children", service = "children", judgement = "serving", to = "most",
  requirement = "race_equality",
  sentence = "duties under the Race Relations (Amendment) Act were not met",
  reconstructed = "the cap is not reported; assumed to bar 'yes' (at most 'most')",
}

cap {
  id = "race-equality-adults", service = "adults", judgement = "serving", to = "most",
  requirement = "race_equality",
  sentence = "duties under the Race Relations (Amendment) Act were not met",
  reconstructed = "the cap is not reported; assumed to bar 'yes' (at most 'most')",
}
