"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2/) under ``/open311/v2/``: the standard city
hotlines (12345) and FixMyStreet-style clients already speak, mapped onto the portal's disputes.
``mapping`` holds the rules (service codes, fields, statuses), ``views`` the endpoints."""
