-- The November 2003 round: the 2002 pack and the differences in changes.lua.
pack {
  name = "ssi-2003",
  version = "1.0.0",
  round = 2003,
  extends = "2002",
  title = "Social Services Inspectorate performance ratings, November 2003",
  files = { "changes.lua" },
}
