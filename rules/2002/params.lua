-- The reconstructed numbers of the pack, each with the range within which nothing published
-- prefers one value to another (docs/methodology.md, "How sure is a rating"). The value is the
-- one the pack uses; `rate --uncertainty` draws variants of the pack from the ranges (uniform
-- unless `dist = "triangular"`, which peaks at the value) and keeps those under which every
-- test of the pack (the published outcomes) still comes out right. Documented numbers (the
-- `source` caps, the star range) are not parameters: they stay fixed.

-- Findings' weights for standards 1-5 (judgements.lua); a strength is the unit.
param { id = "weight_improvement", value = 0.5, lo = 0.3, hi = 0.7,
  reconstructed = "movement from a low base: about half a strength; a full strength breaks Durham 2003" }
param { id = "weight_area_for_improvement", value = 0.75, lo = 0.55, hi = 0.95,
  reconstructed = "a priority for the year ahead: less than a concern; a full concern breaks Hertfordshire 2002" }
param { id = "weight_concern", value = 1.0, lo = 0.85, hi = 1.25,
  reconstructed = "a concern about current performance weighs about as much as a strength" }
param { id = "indicator_share", value = 0.6, lo = 0.45, hi = 0.75,
  reconstructed = "indicators a little ahead of the letter's findings; no council shows the split" }
param { id = "balance_damping", value = 1.0, lo = 0.5, hi = 1.5,
  reconstructed = "the +1 that keeps one finding alone from the extremes; how strongly is a choice" }

-- Cut-offs of a standard's score (-1..1) for its grade.
param { id = "grade_very_good", value = 0.5, lo = 0.4, hi = 0.6,
  reconstructed = "half way from neutral to the best score" }
param { id = "grade_good", value = 0.1, lo = 0.0, hi = 0.2,
  reconstructed = "a little above neutral" }
param { id = "grade_adequate", value = -0.6, lo = -0.7, hi = -0.5,
  reconstructed = "clearly below neutral before a standard is inadequate" }

-- Cut-offs of the mean grade (1-4) of standards 1-5 for serving people well.
param { id = "serving_yes", value = 3.4, lo = 3.25, hi = 3.55,
  reconstructed = "most standards good and some very good" }
param { id = "serving_most", value = 2.75, lo = 2.65, hi = 2.85,
  reconstructed = "between Durham 2003 children (2.6, some) and Hertfordshire 2002 (2.8, most)" }
param { id = "serving_some", value = 1.9, lo = 1.75, hi = 2.05,
  reconstructed = "most standards at least adequate" }

-- Standard 6 (capacity).
param { id = "capacity_weight_improvement", value = 1.0, lo = 0.6, hi = 1.0,
  reconstructed = "an improvement in capacity counts as a strength; it may count for less" }
param { id = "capacity_weight_area_for_development", value = 1.0, lo = 0.6, hi = 1.0,
  reconstructed = "an area for development in capacity counts as a concern; it may count for less" }
param { id = "travel_share", value = 0.3, lo = 0.15, hi = 0.45,
  reconstructed = "direction of travel matters, but less than what the letter says about capacity" }
param { id = "capacity_very_good", value = 0.5, lo = 0.4, hi = 0.6,
  reconstructed = "as for standards 1-5: half way from neutral to the best score" }
param { id = "capacity_good", value = 0.0, lo = -0.1, hi = 0.1,
  reconstructed = "capacity findings on balance for" }
param { id = "capacity_adequate", value = -0.5, lo = -0.6, hi = -0.4,
  reconstructed = "capacity findings clearly against before capacity is poor" }

-- Key threshold D38 (caps.lua): the only cap whose number is reconstructed.
param { id = "D38_equipment_below", value = 80, lo = 70, hi = 90,
  reconstructed = "the 2002 wording is garbled; 80% is read from it, and 70% to 90% fits the reports" }

-- Band limits (indicators.lua): those marked reconstructed move together per indicator, by
-- this many band widths (positive: stricter), drawn for each indicator on its own.
param { id = "band_shift", value = 0, lo = -0.5, hi = 0.5, each = "indicator",
  reconstructed = "illustrative default limits: half a band either way is as plausible as the default" }

-- What the evidence does not state (rate --uncertainty draws it): an indicator of the
-- catalogue with no value takes band 1-5 with these chances, a requirement not stated is met
-- with this chance. The bands follow the PAF's own spread (most councils in bands 3 and 4).
gaps {
  bands = { 0.05, 0.15, 0.35, 0.30, 0.15 },
  requirement_met = 0.9,
  reconstructed = "PAF bands were set so that most councils sat in the middle bands; most key requirements were met",
}
