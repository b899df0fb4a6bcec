"""Scale tools: a district-sized data generator and the page benchmark (issue 8)."""
