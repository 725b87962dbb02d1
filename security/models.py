"""Models of the security app; filled by its own issue."""
