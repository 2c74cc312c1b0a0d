"""A bot skeleton: one chat per user, many users at once, conversations kept across restarts.

Plug ``Bot.handle(user_id, text)`` into any chat platform's message callback. Each user's
chat is saved as JSON after every reply (thought signatures included) and loaded again the
first time the user writes after a restart.

Run: python examples/bot.py [STATE_DIR]   (uses the embedded emulator without a key)
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

import gemini_stream as gs
from gemini_stream.emulator import open_client

MODEL = "gemini-2.5-flash"


class Bot:
    """Answers users, one ``gs.Chat`` each, persisted in ``state_dir``."""

    def __init__(self, client: gs.Client, state_dir: Path) -> None:
        self.client = client
        self.state_dir = state_dir
        self.chats: dict[str, gs.Chat] = {}

    def _path(self, user_id: str) -> Path:
        return self.state_dir / f"{user_id}.json"

    def chat_for(self, user_id: str) -> gs.Chat:
        chat = self.chats.get(user_id)
        if chat is None:
            path = self._path(user_id)
            if path.exists():
                chat = gs.Chat.loads(self.client, path.read_bytes())
            else:
                chat = self.client.chat(MODEL, system_instruction="You are a friendly bot.")
            self.chats[user_id] = chat
        return chat

    async def handle(self, user_id: str, text: str) -> str:
        """Reply to one message. Messages of one user are answered in order (the chat
        serialises them); different users are answered concurrently."""
        chat = self.chat_for(user_id)
        try:
            reply = await chat.send(text)
        except gs.BlockedError as exc:
            return f"Sorry, I can't answer that ({exc.reason})."
        except gs.GeminiError:
            return "Sorry, something went wrong; please try again."
        self._path(user_id).write_bytes(chat.dumps())
        return reply.text


async def main(state_dir: Path) -> None:
    users = ["ada", "grace", "linus"]
    async with open_client() as client:
        bot = Bot(client, state_dir)
        replies = await asyncio.gather(*(bot.handle(u, f"Hi, I am {u}.") for u in users))
        for user, reply in zip(users, replies, strict=True):
            print(f"[{user}] {reply[:100]}")

        restarted = Bot(client, state_dir)  # a new process would start exactly like this
        reply = await restarted.handle("ada", "Do you remember me?")
        print(f"[ada, after a restart] {reply[:160]}")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        asyncio.run(main(Path(sys.argv[1])))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(main(Path(tmp)))
