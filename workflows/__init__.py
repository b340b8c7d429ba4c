"""The domain of Xietong: models, engine runtime and use-case services, usable without a web request."""
