"""The directory an admin maintains (agency types, agencies, users) and how lanes find agencies in it."""
