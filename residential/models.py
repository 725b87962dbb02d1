"""Models of the residential app; filled by its own issue."""
