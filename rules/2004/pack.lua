-- The November 2004 round, the first by the Commission for Social Care Inspection.
-- No change to the rules is documented: the 2003 pack applies as it is.
pack {
  name = "csci-2004",
  version = "1.0.0",
  round = 2004,
  extends = "2003",
  title = "Commission for Social Care Inspection performance ratings, November 2004",
  files = {},
}
