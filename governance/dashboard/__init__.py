"""The leaders' dashboard (领导驾驶舱): the "三基三创" figures of one division's subtree for a period,
against the same period a year before, with breakdowns by child division and trends by month.

Figures come only from the indicators each app registers (``governance.registry``); the core
imports no app. ``periods`` parses the period picker, ``selectors`` computes (and caches) the
figures, ``views`` and ``export`` show them as a page and as an Excel file."""
