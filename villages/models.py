"""Models of the villages app; filled by its own issue."""
