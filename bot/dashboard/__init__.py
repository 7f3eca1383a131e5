"""The web dashboard (#17): every channel's mood at a glance, for exactly the people allowed.

``links`` (signed links and sessions), ``scope`` (which channels a viewer sees), ``api`` (JSON
under ``/api/``), ``views`` (HTML pages), ``svg`` (charts), ``web`` (the aiohttp app, sign-in,
security headers), ``server`` (running it). Reads the database only (``storage.dashboard_*``).
"""
