"""Browser tests: Canopy served over real HTTP and driven by Debian's Chromium."""
