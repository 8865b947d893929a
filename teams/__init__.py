"""Teams, memberships, invitations and entries with every saved version kept."""
