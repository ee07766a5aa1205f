-- The 2002 rule pack: the May 2002 round and the November 2002 refresh.
--
-- A pack is loaded as text, each file with its own environment. Declarations (`scale`,
-- `standard`, `indicator`, `cap`, `star_rule`, ...) record their file and line so that every
-- step of a rating can be traced back here. Every declaration carries its provenance:
-- `source = "..."` for documented fact, `reconstructed = "..."` for this project's reading of
-- incomplete public evidence (domain.md keeps the same distinction).
pack {
  name = "ssi-2002",
  version = "1.0.0",
  round = 2002,
  title = "Social Services Inspectorate performance ratings, May and November 2002",
  files = {
    "scales.lua",
    "standards.lua",
    "indicators.lua",
    "requirements.lua",
    "params.lua",
    "caps.lua",
    "judgements.lua",
    "stars.lua",
  },
}
