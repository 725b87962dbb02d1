"""Models of the civility app; filled by its own issue."""
