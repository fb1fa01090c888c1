"""autodiag: the open platform of the Services Publics+ self-diagnostic."""
