"""Models of the integrity app; filled by its own issue."""
