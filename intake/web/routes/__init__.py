"""The web page's routes, one module per audience: login, the team, managers, admins, JSON."""
