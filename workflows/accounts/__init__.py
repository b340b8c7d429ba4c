"""Who may sign in: accounts over their lifetime, passwords, page sessions and API tokens."""
