-- Key thresholds that cap a judgement (domain.md §5). Missing one caps the judgement
-- whatever else the evidence says. A cap names an indicator (with `above` or `below`: the
-- value that breaches it) or a requirement (breached when not met).

cap {
  id = "homes-inspected", service = "children", judgement = "serving", to = "some",
  requirement = "homes_inspected",
  sentence = "not all children's homes were inspected as required",
  source = "key threshold, 2002 (Community Care, 21 Nov 2002: Somerset)",
}

cap {
  id = "A1-placements", service = "children", judgement = "serving", to = "some",
  indicator = "A1", above = 20,
  sentence = "more than 20% of looked-after children had three or more placements in the year",
  source = "key threshold, 2002 (Community Care, 30 Apr 2002)",
}

cap {
  id = "A3-reregistrations", service = "children", judgement = "serving", to = "some",
  indicator = "A3", above = 24,
  sentence = "child-protection re-registrations were above 24%",
  source = "key threshold, 2002 (Community Care, 30 Apr 2002)",
}

cap {
  id = "care-homes-inspected", service = "adults", judgement = "serving", to = "most",
  requirement = "care_homes_inspected",
  sentence = "care-home inspection requirements were not met",
  source = "key threshold, 2002 (Community Care, 30 Apr 2002)",
}

cap {
  id = "D38-equipment", service = "adults", judgement = "serving", to = "most",
  indicator = "D38", below = "D38_equipment_below",
  sentence = "fewer than 80% of small items of equipment were delivered within three weeks",
  reconstructed = "the reported wording is garbled; read as fewer than 80% delivered in three weeks",
}
