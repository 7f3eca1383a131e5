"""A local stand-in for TensorFlow Serving's REST API that runs a SavedModel export."""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiohttp import web


def tf_serving_app(export_dir: Path, model_name: str = "sentiment") -> web.Application:
    """An aiohttp app answering like TF Serving's REST API (row format) for one SavedModel."""
    import tensorflow as tf

    loaded = tf.saved_model.load(str(export_dir))
    signature = loaded.signatures["serving_default"]
    version = export_dir.name

    def run(instances: list[str]) -> list[dict[str, object]]:
        outputs = signature(text=tf.constant(instances, tf.string))
        columns = {name: tensor.numpy().tolist() for name, tensor in outputs.items()}
        decode = lambda v: v.decode("utf-8") if isinstance(v, bytes) else v  # noqa: E731
        return [{k: decode(col[i]) for k, col in columns.items()} for i in range(len(instances))]

    async def model_route(request: web.Request) -> web.Response:
        spec = request.match_info["spec"]
        if request.method == "GET" and spec == model_name:
            status = {"version": version, "state": "AVAILABLE", "status": {"error_code": "OK"}}
            return web.json_response({"model_version_status": [status]})
        if request.method != "POST" or spec != f"{model_name}:predict":
            return web.json_response({"error": f"Servable not found: {spec}"}, status=404)
        body = await request.json()
        instances = body.get("instances")
        if not isinstance(instances, list) or not all(isinstance(t, str) for t in instances):
            return web.json_response({"error": "instances must be a list of strings"}, status=400)
        rows = await asyncio.to_thread(run, instances)  # TensorFlow off the event loop
        return web.json_response({"predictions": rows})

    app = web.Application()
    app.router.add_route("*", "/v1/models/{spec}", model_route)
    return app
