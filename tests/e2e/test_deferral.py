"""Answers that can take longer than Discord's 3 s defer first, then follow up: /chart."""

from __future__ import annotations

import struct

import pytest

from .conftest import Running

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def test_chart_defers_then_sends_the_png(shared: Running) -> None:
    standin = shared.standin
    asked = await standin.invoke("chart", top=10, highlight="14")
    deferred = await standin.wait_for_response(asked)
    followup = await standin.wait_for_followup(asked, timeout=20)

    assert deferred.type == 5 and not deferred.ephemeral, "a public 'thinking…' first"
    (upload,) = followup.record.files
    assert upload.filename == "chart.png" and upload.data.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", upload.data[16:24])
    assert width == 1200 and height > 300
    embed = followup.embeds[0]
    assert embed["image"]["url"] == "attachment://chart.png"
    assert "#14" in embed["description"] and "+1.635 s" in embed["description"]
    assert followup.allowed_mentions is not None
    assert followup.allowed_mentions.get("parse") == [], "pings nobody"


async def test_chart_with_a_bad_option_answers_at_once(shared: Running) -> None:
    standin = shared.standin
    answer = await standin.ask("chart", highlight="zzzz")
    assert answer.type == 4 and answer.ephemeral, "no public 'thinking…' for a mistake"
