"""``sentibot serve``: the active model over TensorFlow Serving's REST API, for thin bots."""
