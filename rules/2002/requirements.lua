-- Key requirements that are not PAF indicators. An evidence file states each as met (true)
-- or not met (false); one it does not state is "not known" and its cap is not evaluated.

requirement {
  id = "homes_inspected", services = { "children" },
  text = "all children's homes inspected as required",
  source = "key threshold, 2002 (Somerset lost a star in Nov 2002 for this alone)",
}

requirement {
  id = "care_homes_inspected", services = { "adults" },
  text = "care-home inspection requirements met",
  source = "key threshold, 2002",
}
