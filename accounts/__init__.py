"""People: users, departments, platform roles, passwords and sign-in sessions."""
