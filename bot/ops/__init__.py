"""Operations: the health and metrics HTTP server (``bot.ops.server``), the Prometheus metrics
(``bot.ops.metrics``), the health checks (``bot.ops.health``) and the container probe
(``python -m bot.ops.probe``).

Nothing is imported here, so the probe starts without loading aiohttp or prometheus_client.
"""
