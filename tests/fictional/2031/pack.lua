-- The 2031 fictional round: the 2030 round without its parks service and with the cost of a
-- library loan no longer measured.
pack {
  name = "civic-2031",
  version = "0.1.0",
  round = 2031,
  extends = "2030",
  title = "Civic services performance ratings, a fictional round for the tests, 2031",
  files = { "changes.lua" },
}
