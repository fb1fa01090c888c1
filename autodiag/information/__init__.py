"""The pages every public service's site owes its users, reachable from the
footer without signing in: the accessibility statement, the legal notice
and how personal data are handled. Who runs the instance is a setting."""
