"""The 星群防 reports: 三调联治 and 三情联处 (issue 16 items 4–5): selectors, the officers' pages with
their Excel download, and the API."""
