"""Collecting creator posts for campaigns that are not archived."""
