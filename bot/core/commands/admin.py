"""Admin commands: ``sentiment-retrain``.

Only admins reach the handler: ``bot.core.commands.registry.admin_refusal`` refuses the others,
for every platform, from the spec's ``admin`` flag.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.commands.spec import CommandSpec, Option
from bot.core.messages import Command, Reply

if TYPE_CHECKING:
    from bot.core.ports import CommandContext


async def cmd_retrain(ctx: CommandContext, command: Command) -> Reply:
    """``sentiment-retrain``: admins only; start a retrain and report progress here."""
    if ctx.retrainer is None:
        return Reply("Retraining is not running in this instance.")

    async def notify(text: str) -> None:
        await ctx.post(command.channel, Reply(text))

    force = command.text.strip().lower() == "force" or command.options.get("force") == "true"
    return Reply(await ctx.retrainer.start(command.author, notify, force=force))


RETRAIN = CommandSpec(
    name="sentiment-retrain",
    description="Retrain the model (admins only)",
    usage="sentiment-retrain [force]",
    summary="retrain the model (admins; force: even with no new corrections)",
    handler=cmd_retrain,
    options=(Option("force", "Retrain even when there is no new correction"),),
    usage_hint="[force]",
    admin=True,
    private=True,
    guild_only=True,
    defer=True,
)
