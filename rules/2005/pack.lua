-- The December 2005 round, the last of the star ratings under these rules.
-- No change to the rules is documented: the 2004 pack applies as it is.
pack {
  name = "csci-2005",
  version = "1.0.0",
  round = 2005,
  extends = "2004",
  title = "Commission for Social Care Inspection performance ratings, December 2005",
  files = {},
}
